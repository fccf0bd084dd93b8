import { compilePythonRegex } from './regex.js';
import { isRecord, pythonEquals } from './records.js';
import { MATCH_ANY } from './values.js';

/** A `[key, value]` pair of a key–value selector, as written in DOT (`"[['type', 'temp.*']]"`). */
export type KeyValPair = readonly [key: string, value: unknown];

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
      regex:
        typeof value === 'string' ? compilePythonRegex(value, { mode: 'fullmatch' }) : undefined,
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
