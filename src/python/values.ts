import { parsePythonJson } from './json.js';

/**
 * What the DOT text `NotImplemented` decodes to: Python datalogd's "match anything" marker
 * in key/value selectors. `Symbol.for` so that a user plugin loaded from another copy of
 * this package still recognises it.
 */
export const MATCH_ANY: unique symbol = Symbol.for('datalogd.NotImplemented');

const KEYWORDS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['None', null],
  ['True', true],
  // Python datalogd returns None here; compatibility.md fixes it to false.
  ['False', false],
  ['NotImplemented', MATCH_ANY],
]);

/**
 * Decodes a DOT attribute value (quotes of a quoted DOT value already removed) exactly like
 * Python datalogd's `parse_dot_json`. Single quotes are how JSON strings are written inside
 * a double-quoted DOT value, so every `'` becomes `"` before the JSON attempt; when that
 * fails, the untouched text is the value, which is how `it's` or `0x8078` survive.
 * Non-string input is returned unchanged.
 */
export function parseDotJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (KEYWORDS.has(value)) return KEYWORDS.get(value);
  const text = stripQuotes(value, '"');
  try {
    return parsePythonJson(text.replaceAll("'", '"'));
  } catch {
    return stripQuotes(text, `'"`);
  }
}

/** Removes one pair of matching quotes (any of `quotes`) around a text longer than one character. */
function stripQuotes(text: string, quotes: string): string {
  if (text.length < 2) return text;
  const first = text.charAt(0);
  return quotes.includes(first) && text.endsWith(first) ? text.slice(1, -1) : text;
}

/**
 * Python datalogd's `listify`: a string or a dict-like value is one item; any other
 * iterable becomes an array of its items (a byte buffer becomes its byte values, as Python
 * turns `bytes` into a list of ints); anything else (numbers, null, undefined, plain
 * objects, dates) is wrapped. A `Map` is the JavaScript counterpart of a Python dict, so it
 * is kept whole rather than spread into entries. Arrays are copied, never returned as is.
 */
export function listify(value: unknown): unknown[] {
  if (typeof value === 'string' || value instanceof Map) return [value];
  if (Array.isArray(value)) return value.slice() as unknown[];
  if (isIterable(value)) return Array.from(value);
  return [value];
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
  );
}
