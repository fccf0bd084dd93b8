/**
 * The JSON a store keeps a record's other keys in, lossless for what records hold: plain
 * JSON, except for the values JSON cannot carry, which become one-key tagged objects that
 * any JSON reader can still see (and SQL's JSON functions can still query):
 *
 * - a `Date`: `{"$date": "2024-05-06T07:08:09.123Z"}` (`null` for an invalid Date);
 * - NaN and the infinities: `{"$float": "NaN"}`, `{"$float": "-Infinity"}`;
 * - a BigInt: `{"$bigint": "12345678901234567890"}`;
 * - an object of the record that happens to look like one of these (one key, a tag) is kept
 *   as `{"$object": {...}}`, so that it comes back as it was.
 *
 * `undefined` values are left out, as JSON does; other objects (a class instance, a Map)
 * are written as `JSON.stringify` writes them.
 */

const TAGS: ReadonlySet<string> = new Set(['$date', '$float', '$bigint', '$object']);

function isTagLike(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let count = 0;
  let only = '';
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    count += 1;
    if (count > 1) return false;
    only = key;
  }
  return count === 1 && TAGS.has(only);
}

/** Whether plain `JSON.stringify` already writes this value losslessly (the common case). */
function plainJsonScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return value === null;
  }
}

/** JSON text for an object of record keys; see the module comment for the tagged values. */
export function encodeRecordJson(value: Readonly<Record<string, unknown>>): string {
  let flat = true;
  for (const key in value) {
    if (!plainJsonScalar(value[key])) {
      flat = false;
      break;
    }
  }
  if (flat && !isTagLike(value)) return JSON.stringify(value);
  const wrappers = new WeakSet<object>();
  return JSON.stringify(value, function replacer(this: unknown, key: string, v: unknown) {
    // The contents of a wrapper made below are the record's own object: as they are.
    if (key === '$object' && typeof this === 'object' && this !== null && wrappers.has(this)) {
      return v;
    }
    // `v` has been through toJSON already; the holder still has the original.
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof Date) {
      const ms = original.getTime();
      return { $date: Number.isNaN(ms) ? null : original.toISOString() };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $float: String(v) };
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (isTagLike(v)) {
      const wrapper = { $object: v };
      wrappers.add(wrapper);
      return wrapper;
    }
    return v;
  });
}

/** The object `encodeRecordJson` wrote, tagged values restored. Throws on text that is not JSON. */
export function decodeRecordJson(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the JSON of a stored record is not an object');
  }
  // Without a `"$` there is no tag to restore: the parsed object is the answer.
  if (!text.includes('"$')) return parsed as Record<string, unknown>;
  return decodeValue(parsed) as Record<string, unknown>;
}

/** Top down, since only the parent tells whether an object is a tag or the record's own. */
function decodeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  if (!isTagLike(value)) return decodeMembers(value as Record<string, unknown>);
  if ('$object' in value) {
    const own = value.$object;
    return typeof own === 'object' && own !== null && !Array.isArray(own)
      ? decodeMembers(own as Record<string, unknown>)
      : decodeValue(own);
  }
  if ('$date' in value) return new Date(typeof value.$date === 'string' ? value.$date : Number.NaN);
  if ('$float' in value) return Number(value.$float);
  if ('$bigint' in value && typeof value.$bigint === 'string') return BigInt(value.$bigint);
  return decodeMembers(value);
}

function decodeMembers(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    // A key named `__proto__` is data here, not the prototype.
    Object.defineProperty(out, key, {
      value: decodeValue(object[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
