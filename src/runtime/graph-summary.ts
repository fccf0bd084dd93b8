import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { PluginClass } from '../core/node.js';
import { describeOptions, isPlainJson } from '../core/option-docs.js';
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
    const defaults = defaultsOf(node.plugin.cls);
    const options: (readonly [string, string])[] = [];
    for (const [key, text] of Object.entries(attributes)) {
      if (key === 'class') continue;
      const value = parseDotJson(text);
      if (defaults !== undefined && isDefault(defaults.get(key), value, node.options[key])) {
        continue;
      }
      const secret = redactedValue(key, value) === REDACTED;
      options.push([key, secret ? REDACTED : text]);
    }
    return { name: node.name, className: node.className, kind: node.plugin.kind, options };
  });
  return { nodes, edges: prepared.graph.edges };
}

interface OptionDefault {
  /** The default as a user would write it (see `describeOptions`). */
  readonly written: unknown;
  /** What validation makes of an absent option. */
  readonly validated: unknown;
}

/** Undefined for a class without a schema, whose defaults are unknown. */
function defaultsOf(cls: PluginClass): Map<string, OptionDefault> | undefined {
  const options = describeOptions(cls);
  const shape = cls.optionsSchema?.shape;
  if (options === undefined || shape === undefined) return undefined;
  return new Map(
    options.flatMap((option) => {
      if (option.default === undefined) return [];
      const absent = (shape[option.name] as z.ZodType).safeParse(undefined);
      return [[option.name, { written: option.default, validated: absent.data }]];
    }),
  );
}

/**
 * Whether an option is set to its default: written as the default is (`interval=1`), or
 * validated to the same plain value (`port="45454"`). Values that are not plain data are
 * compared as written only: a `Secret` hides its text from any comparison.
 */
function isDefault(option: OptionDefault | undefined, written: unknown, validated: unknown) {
  if (option === undefined) return false;
  if (isDeepStrictEqual(written, option.written)) return true;
  return isPlainJson(validated) && isDeepStrictEqual(validated, option.validated);
}
