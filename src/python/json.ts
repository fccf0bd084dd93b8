import { randomBytes } from 'node:crypto';

/**
 * JSON as Python's `json` module reads and writes it: standard JSON plus the bare tokens
 * `NaN`, `Infinity` and `-Infinity`, and integers of any size (Python's int is unbounded;
 * nanosecond timestamps have 19 digits). Python's `", "` separators and `\uXXXX` escapes
 * (surrogate pairs included) are standard JSON already, so `JSON.parse` does the work and
 * the extra tokens are rewritten around it, so that a message full of NaN parses at close
 * to plain JSON speed: first optimistically, with native `replaceAll`, then, only when
 * that gives text JSON refuses (a token inside a string, or bad input), exactly, token by
 * token, outside strings.
 *
 * Integers beyond 2^53 become BigInts, so that they are relayed digit for digit
 * (`stringifyPythonJson` writes them back as they came); everything else is a number.
 */

/** 2^53: from here on a double cannot hold every integer. */
const UNSAFE = 2 ** 53;
/** Unguessable, so that no text a peer sends can pose as one of the marks below. */
const NONCE = randomBytes(8).toString('hex');
/**
 * What the bare tokens become before JSON.parse: strings (plain ASCII, the fastest to
 * parse), restored afterwards. A mark put inside a string by the optimistic rewrite always
 * makes the text invalid (its quote ends the string and a letter follows), so a successful
 * parse means every mark stood where a value can.
 */
const MARK_PREFIX = `__datalogd_${NONCE}_`;
const NAN_MARK = `${MARK_PREFIX}n`;
const INFINITY_MARK = `${MARK_PREFIX}p`;
const NEGATIVE_INFINITY_MARK = `${MARK_PREFIX}m`;
const NAN_LITERAL = JSON.stringify(NAN_MARK);
const INFINITY_LITERAL = JSON.stringify(INFINITY_MARK);
const NEGATIVE_INFINITY_LITERAL = JSON.stringify(NEGATIVE_INFINITY_MARK);
/** What a long integer becomes before JSON.parse; the digits follow. */
const BIGINT_MARK = `\u0000${NONCE}:int:`;
const BIGINT_WRITTEN = new RegExp(`"\\\\u0000${NONCE}:int:(-?\\d+)"`, 'g');

export function parsePythonJson(text: string): unknown {
  return parsePythonJsonKnowing(text, mayHoldNonFinite(text));
}

/**
 * Whether `text` may hold a bare NaN or Infinity token. A caller that parses many messages
 * cut from one text (the socket's run of messages) asks once for the whole text: the two
 * searches cost more per call than per byte.
 */
export function mayHoldNonFinite(text: string): boolean {
  return text.includes('NaN') || text.includes('Infinity');
}

/** `parsePythonJson`, told whether the text may hold NaN or Infinity (`mayHoldNonFinite`). */
export function parsePythonJsonKnowing(text: string, special: boolean): unknown {
  const value = special ? parseNonFinite(text) : (JSON.parse(text) as unknown);
  // A double this large came from a long integer literal (or an exponent, such as 1e20):
  // only then is the text read again, keeping the digits.
  return holdsUnsafeNumber(value) ? parseRewritten(text, true) : value;
}

/**
 * Python's `json.dumps` output for `value`, compactly: like `JSON.stringify` (Dates as
 * ISO text, NaN and infinities as null, `undefined` and functions left out), but BigInts
 * written as their digits. Returns undefined where JSON.stringify would (undefined, a
 * function or a symbol at the top). Throws like JSON.stringify on a cycle.
 */
export function stringifyPythonJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
  }
  const marked = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? BIGINT_MARK + v.toString() : v,
  ) as string | undefined;
  return marked?.replace(BIGINT_WRITTEN, '$1');
}

/**
 * `\uXXXX` for every character outside ASCII, as Python's `json.dumps` writes by default
 * (`ensure_ascii=True`), so that the text is plain ASCII in any encoding.
 */
export function escapeNonAscii(json: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/.test(json)) return json;
  return json.replace(
    /[\u0080-\uffff]/g,
    (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

function parseNonFinite(text: string): unknown {
  const rewritten = text
    .replaceAll('-Infinity', NEGATIVE_INFINITY_LITERAL)
    .replaceAll('Infinity', INFINITY_LITERAL)
    .replaceAll('NaN', NAN_LITERAL);
  let value: unknown;
  try {
    value = JSON.parse(rewritten);
  } catch {
    return parseRewritten(text, false);
  }
  return restoreMarks(value);
}

function parseRewritten(text: string, bigIntegers: boolean): unknown {
  const { rewritten, marked } = rewriteTokens(text, bigIntegers);
  const value = JSON.parse(rewritten) as unknown;
  return marked ? restoreMarks(value) : value;
}

/**
 * Replaces, outside strings, `NaN` with a marker string, `Infinity` with `1e999` (which
 * JSON.parse reads as Infinity, so no marker is needed) and, when asked, integer literals
 * of 16 digits or more with marker strings. Quote state is tracked by jumping from quote
 * to quote; a quote preceded by an odd number of backslashes is inside a string.
 */
function rewriteTokens(text: string, bigIntegers: boolean): { rewritten: string; marked: boolean } {
  let out = '';
  let copied = 0;
  let marked = false;
  let inString = false;
  let quote = text.indexOf('"');
  const candidates = new Candidates(text, bigIntegers);
  let at = candidates.next(0);
  while (at !== -1) {
    while (quote !== -1 && quote < at) {
      if (!isEscaped(text, quote)) inString = !inString;
      quote = text.indexOf('"', quote + 1);
    }
    const token = inString ? undefined : tokenAt(text, at, bigIntegers);
    if (token === undefined) {
      at = candidates.next(pastCandidate(text, at));
      continue;
    }
    out += text.slice(copied, at);
    if (token.kind === 'nan') {
      out += NAN_LITERAL;
      marked = true;
    } else if (token.kind === 'infinity') {
      out += '1e999';
    } else {
      const digits = text.slice(at, at + token.length);
      const n = Number(digits);
      if (n < UNSAFE && n > -UNSAFE) out += digits;
      else {
        out += JSON.stringify(BIGINT_MARK + digits);
        marked = true;
      }
    }
    copied = at + token.length;
    at = candidates.next(copied);
  }
  return { rewritten: copied === 0 ? text : out + text.slice(copied), marked };
}

type Token = { readonly kind: 'nan' | 'infinity' | 'integer'; readonly length: number };

/**
 * Where the next candidate token may start: `NaN`, `Infinity` or (when asked) a run of 16
 * digits. Each kind's next position is remembered, because `from` only grows: every
 * search goes over each part of the text once.
 */
class Candidates {
  readonly #text: string;
  readonly #bigIntegers: boolean;
  #nan = -2;
  #infinity = -2;
  #digits = -2;

  constructor(text: string, bigIntegers: boolean) {
    this.#text = text;
    this.#bigIntegers = bigIntegers;
  }

  next(from: number): number {
    const text = this.#text;
    if (this.#nan !== -1 && this.#nan < from) this.#nan = text.indexOf('NaN', from);
    if (this.#infinity !== -1 && this.#infinity < from) {
      this.#infinity = text.indexOf('Infinity', from);
    }
    let at = earliest(this.#nan, this.#infinity);
    if (this.#bigIntegers) {
      if (this.#digits !== -1 && this.#digits < from) this.#digits = nextLongDigitRun(text, from);
      at = earliest(at, this.#digits);
    }
    return at;
  }
}

function earliest(a: number, b: number): number {
  return a === -1 ? b : b === -1 ? a : Math.min(a, b);
}

function tokenAt(text: string, at: number, bigIntegers: boolean): Token | undefined {
  const code = text.charCodeAt(at);
  if (isIdentChar(text.charCodeAt(at - 1))) return undefined;
  if (code === 0x4e /* N */) {
    return text.startsWith('NaN', at) && !isIdentChar(text.charCodeAt(at + 3))
      ? { kind: 'nan', length: 3 }
      : undefined;
  }
  if (code === 0x49 /* I */) {
    return text.startsWith('Infinity', at) && !isIdentChar(text.charCodeAt(at + 8))
      ? { kind: 'infinity', length: 8 }
      : undefined;
  }
  if (!bigIntegers) return undefined;
  // An integer literal: an optional minus, digits, and no fraction or exponent after.
  const start = text.charCodeAt(at) === 0x2d ? at + 1 : at;
  let end = start;
  while (isDigit(text.charCodeAt(end))) end += 1;
  const next = text.charCodeAt(end);
  if (end - start < 16 || next === 0x2e /* . */ || next === 0x65 || next === 0x45 /* e E */) {
    return undefined;
  }
  if (text.charCodeAt(at - 1) === 0x2e) return undefined;
  return { kind: 'integer', length: end - at };
}

/** Where to look on after a candidate that was no token: past its whole digit run. */
function pastCandidate(text: string, at: number): number {
  let end = text.charCodeAt(at) === 0x2d ? at + 1 : at;
  if (!isDigit(text.charCodeAt(end))) return at + 1;
  while (isDigit(text.charCodeAt(end))) end += 1;
  return end;
}

/** The start (a minus sign, or the first digit) of the next run of 16 or more digits. */
function nextLongDigitRun(text: string, from: number): number {
  let run = 0;
  for (let i = from; i < text.length; i++) {
    if (isDigit(text.charCodeAt(i))) {
      run += 1;
      if (run === 16) {
        const start = i - 15;
        return text.charCodeAt(start - 1) === 0x2d ? start - 1 : start;
      }
    } else {
      run = 0;
    }
  }
  return -1;
}

/** Whether a number is a double too large to hold every integer (an exact long integer needs a BigInt). */
function unsafe(n: number): boolean {
  return (n >= UNSAFE || n <= -UNSAFE) && n !== Infinity && n !== -Infinity;
}

/**
 * Whether parsed JSON holds such a number. On the hot path for every message: primitives
 * are tested in the loop rather than by a call each, which keeps it a few per cent of a parse.
 */
function holdsUnsafeNumber(value: unknown): boolean {
  if (typeof value !== 'object' || value === null)
    return typeof value === 'number' && unsafe(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (
        typeof item === 'object'
          ? item !== null && holdsUnsafeNumber(item)
          : typeof item === 'number' && unsafe(item)
      )
        return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (
      typeof item === 'object'
        ? item !== null && holdsUnsafeNumber(item)
        : typeof item === 'number' && unsafe(item)
    )
      return true;
  }
  return false;
}

function restoreMarks(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.length === NAN_MARK.length && value.startsWith(MARK_PREFIX)) {
      if (value === NAN_MARK) return NaN;
      if (value === INFINITY_MARK) return Infinity;
      if (value === NEGATIVE_INFINITY_MARK) return -Infinity;
    }
    return value.startsWith(BIGINT_MARK) ? BigInt(value.slice(BIGINT_MARK.length)) : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreMarks(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) record[key] = restoreMarks(record[key]);
  return record;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes += 1;
  return backslashes % 2 === 1;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isIdentChar(code: number): boolean {
  return (
    isDigit(code) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}
