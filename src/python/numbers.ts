/**
 * What the calibration filters accept as a number: a number, or a boolean as Python counts it
 * (`True` is 1). Anything else is not a measurement and is left alone.
 */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/**
 * Applies `fn` to a number, or to every number of a list (an aggregated value), nested lists
 * included. Returns undefined, and computes nothing, when any element is not a number: a
 * half-converted list would be worse than an untouched one.
 */
export function mapNumeric(value: unknown, fn: (x: number) => number): unknown {
  const x = asNumber(value);
  if (x !== undefined) return fn(x);
  if (!Array.isArray(value)) return undefined;
  const out: unknown[] = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    const mapped = mapNumeric(value[i], fn);
    if (mapped === undefined) return undefined;
    out[i] = mapped;
  }
  return out;
}

/** A short description of a value for a warning: its type, and the value if it is short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') {
    return value.length <= 20 ? `the text ${JSON.stringify(value)}` : 'a long text';
  }
  return `a ${typeof value}`;
}
