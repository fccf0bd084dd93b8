/**
 * How sinks turn data into text: JSON, with `Date`s as ISO 8601 strings (their `toJSON`),
 * NaN and infinities as `null` (what `JSON.stringify` does), and bigints as numbers. A
 * string is already text and is returned as it is, as Python's `print` would show it.
 * Data that JSON cannot express (a cycle) falls back to `String(value)` rather than throw,
 * because a sink must not fail on what a plugin sends it.
 */
export function toJsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    // Typed as string, but undefined, functions and symbols give undefined at run time.
    const text = JSON.stringify(value, replacer) as string | undefined;
    return text ?? 'null';
  } catch {
    return String(value);
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
