import { stringifyPythonJson } from '../python/json.js';

/**
 * Data that cannot be written as JSON text: a value that refers to itself, or one nested
 * more deeply than the encoder can go. A sink counts and skips it; writing something else
 * in its place (`[object Object]`) would be garbage counted as data.
 */
export class UnencodableDataError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'UnencodableDataError';
  }
}

/**
 * How sinks turn data into text: JSON, with `Date`s as ISO 8601 strings (their `toJSON`),
 * NaN and infinities as `null` (what `JSON.stringify` does), and BigInts as their digits
 * (a 19-digit nanosecond timestamp stays exact). A string is already text and is returned as
 * it is, as Python's `print` would show it; `undefined` (and functions) give `null`.
 * Throws `UnencodableDataError` for a cycle or for nesting too deep to encode, with a fixed
 * reason that does not repeat the data.
 */
export function toJsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return stringifyPythonJson(value) ?? 'null';
  } catch (err) {
    throw new UnencodableDataError(unencodableReason(err), { cause: err });
  }
}

function unencodableReason(err: unknown): string {
  if (err instanceof RangeError) return 'it is nested too deeply to encode as JSON';
  if (err instanceof TypeError && /circular/i.test(err.message)) {
    return 'it refers to itself (a cycle), which JSON cannot express';
  }
  // A toJSON method that threw, say: its message is the plugin's, not a peer's.
  return `it cannot be encoded as JSON (${err instanceof Error ? err.message : String(err)})`;
}
