import { isDeepStrictEqual } from 'node:util';
import type { PluginKind } from '../core/registry.js';
import { parseDotJson } from '../python/values.js';
import type { PreparedGraph } from './prepare.js';
import { REDACTED, redactedValue } from './redact.js';

export interface NodeSummary {
  readonly name: string;
  readonly className: string;
  readonly kind: PluginKind;
  /**
   * The options set to something other than their default, as written in the graph (the
   * attribute text, which decodes back to the same value), secrets redacted. Every option
   * of a class without a schema, whose defaults are unknown.
   */
  readonly options: readonly (readonly [string, string])[];
}

export interface GraphSummary {
  readonly nodes: readonly NodeSummary[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** What `datalogd graph` draws: each valid node with what sets it apart, and the edges. */
export function summarizeGraph(prepared: PreparedGraph): GraphSummary {
  const written = new Map(prepared.parsed.nodes.map((node) => [node.name, node.attributes]));
  const nodes = prepared.graph.nodes.map((node): NodeSummary => {
    const attributes = written.get(node.name) ?? {};
    const shape = node.plugin.cls.optionsSchema?.shape;
    const options: (readonly [string, string])[] = [];
    for (const [key, text] of Object.entries(attributes)) {
      if (key === 'class') continue;
      const option: unknown = shape?.[key];
      if (shape !== undefined && isDefault(option, node.options[key])) continue;
      const secret = redactedValue(key, parseDotJson(text)) === REDACTED;
      options.push([key, secret ? REDACTED : text]);
    }
    return { name: node.name, className: node.className, kind: node.plugin.kind, options };
  });
  return { nodes, edges: prepared.graph.edges };
}

/** Whether `value` (the option after validation) is what the option becomes when absent. */
function isDefault(option: unknown, value: unknown): boolean {
  if (!isSchema(option)) return false;
  const absent = option.safeParse(undefined);
  return absent.success && isDeepStrictEqual(absent.data, value);
}

function isSchema(
  value: unknown,
): value is { safeParse: (input: unknown) => { success: boolean; data?: unknown } } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}
