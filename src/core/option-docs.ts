/**
 * A plugin class's options described from its schema, the one place they are declared:
 * for docs/plugins.md (src/tools/gen-docs.ts), `datalogd plugins CLASS` and the JSON Schema
 * that `datalogd plugins CLASS --schema` gives editors.
 */
import { z } from 'zod';
import type { OptionsSchema, PluginClass } from './node.js';

/** The part of JSON Schema that zod emits for option schemas and that listings show. */
export interface JsonSchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly items?: JsonSchemaNode | boolean;
  readonly prefixItems?: readonly JsonSchemaNode[];
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly required?: readonly string[];
}

export interface OptionDoc {
  readonly name: string;
  /** A readable type: `number | null`, `[number, number][]`, `"w" | "a" | "x"`. */
  readonly type: string;
  /** What an absent option becomes, as a user would write it; undefined when none. */
  readonly default: unknown;
  /** Has no default and must be given. */
  readonly required: boolean;
  readonly description: string;
  /** The option's JSON Schema, as `optionsJsonSchema` has it. */
  readonly schema: JsonSchemaNode;
}

/**
 * The JSON Schema (draft 2020-12) of the attributes a node of this class may have. Built
 * from the strict schema the graph is validated with, so an unknown option is refused by
 * an editor as it is by the daemon. Values only a running program can hold (a function, a
 * Date made by a transform) are left unconstrained.
 */
export function optionsJsonSchema(schema: OptionsSchema): Record<string, unknown> & JsonSchemaNode {
  return z.toJSONSchema(schema.strict(), {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // DOT decodes a number of 16 digits or more to a BigInt, exactly; written in the
      // graph, it is an integer like any other.
      if (zodSchema._zod.def.type === 'bigint') jsonSchema.type = 'integer';
    },
  }) as Record<string, unknown> & JsonSchemaNode;
}

/** Every option of the class, in schema order; undefined when it declares no schema. */
export function describeOptions(plugin: PluginClass): OptionDoc[] | undefined {
  const schema = plugin.optionsSchema;
  if (schema === undefined) return undefined;
  const json = optionsJsonSchema(schema);
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, option]) => {
    const value = defaultValue(schema.shape[name], option);
    return {
      name,
      type: typeText(option),
      default: value,
      required: value === undefined && required.has(name),
      description: option.description ?? '',
      schema: option,
    };
  });
}

/**
 * The value an absent option gets, as the user would write it. JSON Schema has it in input
 * form for a plain `.default()` or a `.prefault()`; a `.default()` placed after a transform
 * or a pipe holds an output value, which zod leaves out of an input schema, so it is read
 * by parsing the absent option. `undefined` when the option has no default.
 */
export function defaultValue(option: unknown, json: JsonSchemaNode): unknown {
  if ('default' in json) return json.default;
  if (!(option instanceof z.ZodType)) return undefined;
  const parsed = option.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** A value JSON shows faithfully: no NaN, no Date, no Buffer, no class instance. */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every(isPlainJson);
}

/** A readable type: `number | null`, `[number, number][]`, `"w" | "a" | "x"`. */
export function typeText(node: JsonSchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in node) return JSON.stringify(node.const);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives !== undefined) return oneOf(alternatives.map((n) => typeText(n)));
  if (node.type === undefined) return 'any';
  const types = typeof node.type === 'string' ? [node.type] : node.type;
  return oneOf(types.map((t) => (t === 'array' ? arrayText(node) : t)));
}

/** An integer is a number: `string | number | integer` says no more than `string | number`. */
function oneOf(types: readonly string[]): string {
  const distinct = new Set(types);
  if (distinct.has('number')) distinct.delete('integer');
  return [...distinct].join(' | ');
}

function arrayText(node: JsonSchemaNode): string {
  if (node.prefixItems !== undefined) return `[${node.prefixItems.map(typeText).join(', ')}]`;
  if (typeof node.items !== 'object') return 'array';
  const item = typeText(node.items);
  return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
}

/**
 * The first sentence of a description, for one-line listings: up to the first full stop
 * that ends the text or is followed by a space and a capital letter.
 */
export function summaryOf(description: string | undefined): string {
  const text = (description ?? '').replace(/\s+/g, ' ').trim();
  const end = /\.(?= [A-Z]|$)/.exec(text);
  return end === null ? text : text.slice(0, end.index + 1);
}
