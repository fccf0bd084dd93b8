import { DatalogdError } from '../core/errors.js';
import { isWellFormed } from './encodings.js';

/** The wire default: ASCII ETB. Python's docs call it EOT, but the byte Python sends is 0x17. */
export const DEFAULT_DELIMITER_BYTE = 0x17;

/** The option value as written in the docs, for listings. */
export const DEFAULT_DELIMITER_TEXT = '\\x17';

const OPTION = 'message_delimiter';

/**
 * Turns a `message_delimiter` option, as decoded from a DOT attribute, into the bytes that
 * end a message, or `null` for connection framing (one message per connection).
 *
 * Accepted forms:
 * - absent (`undefined`): the default byte 0x17;
 * - `null`, `""`, `"none"`, `"None"`, `[]`: connection framing;
 * - a string with backslash escapes, arriving with the backslashes as literal characters
 *   because DOT and Python's `parse_dot_json` leave them alone: `\x17`, `\u0017`,
 *   `\U0001F600`, `\n`, `\r`, `\t`, `\0` (octal, as in Python: `\027`), `\a`, `\b`, `\f`, `\v`, `\\`, `\'`, `\"`;
 * - a string already holding the characters (`"'\u0017'"` decodes to U+0017 via JSON);
 * - a list of byte values, e.g. `[13, 10]`;
 * - a `Uint8Array` (programmatic use).
 *
 * Strings are encoded as UTF-8, as Python's `bytes(delimiter, "utf8")` does; so `\xe9` is
 * the character é (two bytes), not the byte 0xE9. Write raw bytes as a list.
 *
 * @throws DatalogdError `DATALOGD_ERR_OPTION_TYPE` for anything else.
 */
export function parseDelimiter(value: unknown): Buffer | null {
  const result = interpretDelimiter(value);
  if (typeof result === 'string') {
    throw new DatalogdError('DATALOGD_ERR_OPTION_TYPE', `option "${OPTION}" ${result}`, {
      option: OPTION,
    });
  }
  return result;
}

/**
 * Like `parseDelimiter`, without throwing: the delimiter bytes, `null` for connection
 * framing, or the reason (a string) the value cannot be a delimiter, for an option schema to
 * report as its issue.
 */
export function interpretDelimiter(value: unknown): Buffer | null | string {
  if (value === undefined) return Buffer.from([DEFAULT_DELIMITER_BYTE]);
  if (value === null) return null;
  if (typeof value === 'string') return fromString(value);
  if (Array.isArray(value)) return fromByteList(value);
  if (value instanceof Uint8Array) return value.length === 0 ? null : Buffer.from(value);
  return (
    `must be a string such as "\\x17" or "\\r\\n", a list of byte values such as [13, 10], ` +
    `or None; got ${describe(value)}`
  );
}

/** Delimiters spelt with backslash escapes, which Python datalogd reads differently. */
const FROM_BACKSLASH_ESCAPES = new WeakSet<Buffer>();

/**
 * True when `delimiter` came from a string with backslash escapes (`"\n"`): this project
 * reads the escapes, Python datalogd sends the characters as written (a backslash and an
 * n). `"'\n'"` (a JSON string, decoded before either side sees it) means the same to both.
 */
export function spelledWithBackslashEscapes(delimiter: Buffer | null): boolean {
  return delimiter !== null && FROM_BACKSLASH_ESCAPES.has(delimiter);
}

function fromString(text: string): Buffer | null | string {
  if (text === '' || text === 'none' || text === 'None') return null;
  const unescaped = unescape(text);
  if (unescaped.error !== undefined) return unescaped.error;
  if (!isWellFormed(unescaped.text)) {
    return `contains an unpaired surrogate escape and cannot be encoded as UTF-8 (${JSON.stringify(text)})`;
  }
  const bytes = Buffer.from(unescaped.text, 'utf8');
  if (unescaped.text !== text) FROM_BACKSLASH_ESCAPES.add(bytes);
  return bytes;
}

function fromByteList(list: readonly unknown[]): Buffer | null | string {
  if (list.length === 0) return null;
  const bytes = Buffer.alloc(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 255) {
      return `must list byte values, integers from 0 to 255; item ${i} is ${describe(item)}`;
    }
    bytes[i] = item;
  }
  return bytes;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const HEX_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Python string-literal escapes, applied to a string whose backslashes are literal. */
function unescape(text: string): { text: string; error?: undefined } | { error: string } {
  if (!text.includes('\\')) return { text };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const slash = text.indexOf('\\', i);
    if (slash === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, slash);
    const letter = text.charAt(slash + 1);
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      out += simple;
      i = slash + 2;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(text.slice(slash + 1, slash + 4));
    if (octal !== null) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i = slash + 1 + octal[0].length;
      continue;
    }
    const digits = HEX_DIGITS[letter];
    if (digits === undefined) {
      const shown = letter === '' ? 'a lone "\\" at the end' : `the unknown escape "\\${letter}"`;
      return { error: `has ${shown} (write a backslash as "\\\\")` };
    }
    const hex = text.slice(slash + 2, slash + 2 + digits);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits ? parseInt(hex, 16) : NaN;
    if (Number.isNaN(code) || code > 0x10ffff) {
      return {
        error: `has an invalid escape "\\${letter}${hex}" (expected ${digits} hex digits)`,
      };
    }
    // fromCharCode for \x and \u keeps surrogate halves, so "\ud83d\ude00" pairs up.
    out += letter === 'U' ? String.fromCodePoint(code) : String.fromCharCode(code);
    i = slash + 2 + digits;
  }
  return { text: out };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
