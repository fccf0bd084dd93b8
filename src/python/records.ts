/**
 * Python's view of JSON-like data: what counts as a dict, when two values are equal, and
 * what is true. One home, so that every plugin answers these questions alike.
 */

/**
 * Python's `isinstance(x, dict)` for data that came from JSON or from a plugin: a plain
 * object. Arrays, dates, maps and class instances are not records.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Python's `==` on JSON-like values: `1 == 1.0 == True`, `0 == False`, NaN equals nothing,
 * lists and dicts compare by content, datetimes by instant.
 */
export function pythonEquals(a: unknown, b: unknown): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item: unknown, i) => pythonEquals(item, b[i]))
    );
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && pythonEquals(a[k], b[k]))
    );
  }
  return false;
}

/**
 * Python's truth value of a JSON-like value: `None`, `False`, zero, `''` and empty lists and
 * dicts are false; everything else is true, NaN included (`bool(float('nan'))` is True).
 */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return false;
  }
  if (typeof value === 'bigint') return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  return true;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}
