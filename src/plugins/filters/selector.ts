import { MATCH_ANY } from '../../config/values.js';

/** A `[key, value]` pair of a key–value selector, as written in DOT (`"[['type', 'temp.*']]"`). */
export type KeyValPair = readonly [key: string, value: unknown];

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

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/**
 * Compiles a Python regular expression for `re.fullmatch`, or returns undefined when it is
 * not a valid pattern (the selector then compares the text literally). The few Python-only
 * spellings people write are translated: `(?P<name>…)`, `(?P=name)` and leading inline
 * flags such as `(?i)`.
 */
export function compileFullMatch(pattern: string): RegExp | undefined {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline !== null) {
    source = source.slice(inline[0].length);
    for (const f of inline[1] ?? '') if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  source = source.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  for (const extra of ['u', '']) {
    try {
      // Compiled bare first, so that a pattern such as `a)|(b` is rejected, not re-grouped.
      new RegExp(source, flags + extra);
      return new RegExp(`^(?:${source})$`, flags + extra);
    } catch {
      // Try without the unicode flag, which rejects escapes Python accepts (`\_`, `\-`).
    }
  }
  return undefined;
}

interface PairTest {
  readonly key: string;
  readonly value: unknown;
  readonly regex: RegExp | undefined;
  readonly any: boolean;
}

/**
 * Python datalogd's key–value selector (KeyVal, PolynomialFunction and others): a record
 * matches when, for every pair, it has the key and the value is equal (`pythonEquals`), or
 * both are strings and the pair's value, as a regular expression, matches the whole field,
 * or the pair's value is `NotImplemented` (match anything). Regexes are compiled once, here.
 * Unlike Python, a record that is not an object simply does not match.
 */
export class KeyValSelector {
  readonly #tests: readonly PairTest[];

  constructor(pairs: readonly KeyValPair[]) {
    this.#tests = pairs.map(([key, value]) => ({
      key,
      value,
      regex: typeof value === 'string' ? compileFullMatch(value) : undefined,
      any: value === MATCH_ANY,
    }));
  }

  matches(record: unknown): boolean {
    if (!isRecord(record)) return false;
    for (const test of this.#tests) {
      if (!Object.hasOwn(record, test.key)) return false;
      if (test.any) continue;
      const field = record[test.key];
      if (pythonEquals(test.value, field)) continue;
      if (typeof field === 'string' && test.regex?.test(field) === true) continue;
      return false;
    }
    return true;
  }
}
