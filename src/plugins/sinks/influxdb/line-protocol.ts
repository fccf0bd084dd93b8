/**
 * InfluxDB line protocol, written by hand because the servers disagree on backslashes and
 * the official client's escaper matches neither (it writes tabs as `\t`, which 1.x stores
 * as two characters, and leaves backslashes that swallow the next delimiter).
 *
 * What the servers store, probed name by name (docs/influxdb.md has the table):
 * - 2.x (and VictoriaMetrics' `/api/v2/write`): `\\` unescapes to `\`, so doubling every
 *   backslash and escaping the delimiters round-trips any name.
 * - 1.x never unescapes `\\`, so backslashes are written as they are. In tag keys and values
 *   that round-trips everything except a trailing backslash (it would escape the delimiter
 *   after it). In measurement names and field keys a backslash right before a space, comma,
 *   equals sign or quote cannot be written either: 1.x drops it or rejects the line.
 *   Such backslashes are left out.
 * - No version can carry a line break in a name, tag or field key: it ends the line. Line
 *   breaks are written as the two characters `\n` / `\r`, as the official client does.
 * - String field values escape `"` and `\` in both, and keep line breaks as they are.
 */
export type Dialect = '1.x' | '2.x';

/** A field value the protocol can carry. */
export type FieldValue = number | boolean | string;

export interface Point {
  readonly measurement: string;
  /** Tag key/value pairs, already free of empty values. */
  readonly tags: readonly (readonly [string, string])[];
  readonly fields: readonly (readonly [string, FieldValue])[];
  /** Nanoseconds since the epoch, as decimal text (beyond the safe integer range). */
  readonly timeNs: string;
}

export interface FormattedLine {
  readonly line: string;
  /** Names that had to change because the protocol cannot carry them (see above). */
  readonly altered: number;
}

/** What a measurement name that escapes to nothing (1.x, backslashes only) is written as. */
export const EMPTY_MEASUREMENT = 'measurement';
/** What a field key that escapes to nothing (a 1.x key of backslashes) is written as. */
export const EMPTY_FIELD_KEY = 'data';

type Position = 'measurement' | 'key' | 'fieldKey';

/** 1.x: the backslashes it cannot store, per position (see above). */
const V1_UNWRITABLE: Readonly<Record<Position, RegExp>> = {
  measurement: /\\+(?=[ ,="]|$)/g,
  key: /\\+$/g,
  fieldKey: /\\+(?=[ ,="]|$)/g,
};
const LINE_BREAK = /[\n\r]/;
const NEEDS_WORK = /[\\,= \n\r]/;

function escapeName(text: string, position: Position, dialect: Dialect): string {
  if (!NEEDS_WORK.test(text)) return text;
  const source = dialect === '1.x' ? text.replace(V1_UNWRITABLE[position], '') : text;
  let out = '';
  for (const ch of source) {
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') out += dialect === '2.x' ? '\\\\' : '\\';
    else if (ch === ',' || ch === ' ' || (ch === '=' && position !== 'measurement')) {
      out += '\\' + ch;
    } else out += ch;
  }
  return out;
}

function isLossyAt(text: string, position: Position, dialect: Dialect): boolean {
  if (LINE_BREAK.test(text)) return true;
  if (dialect === '2.x') return false;
  const unwritable = V1_UNWRITABLE[position];
  unwritable.lastIndex = 0;
  const found = unwritable.test(text);
  unwritable.lastIndex = 0;
  return found;
}

/** Whether the server will store something other than `text` for this tag key or value. */
export function isLossy(text: string, dialect: Dialect): boolean {
  return isLossyAt(text, 'key', dialect);
}

export function escapeMeasurement(text: string, dialect: Dialect): string {
  return escapeName(text, 'measurement', dialect);
}

/** Tag keys and tag values. */
export function escapeKey(text: string, dialect: Dialect): string {
  return escapeName(text, 'key', dialect);
}

export function escapeFieldKey(text: string, dialect: Dialect): string {
  return escapeName(text, 'fieldKey', dialect);
}

export function escapeStringField(text: string): string {
  return '"' + text.replace(/["\\]/g, (ch) => '\\' + ch) + '"';
}

/**
 * Numbers are written as floats, never with the integer suffix `i`: a series that starts at
 * `1` and later reads `1.5` would otherwise hit a field type conflict. Callers must have
 * rejected NaN and infinities, which the protocol cannot carry.
 */
export function formatFieldValue(value: FieldValue): string {
  if (typeof value === 'number') return value === 0 ? '0' : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return escapeStringField(value);
}

/** One line, without the trailing newline. */
export function formatLine(point: Point, dialect: Dialect): FormattedLine {
  let altered = 0;
  const put = (text: string, position: Position): string => {
    if (!NEEDS_WORK.test(text)) return text;
    if (isLossyAt(text, position, dialect)) altered += 1;
    return escapeName(text, position, dialect);
  };
  let line = put(point.measurement, 'measurement');
  if (line === '') line = EMPTY_MEASUREMENT;
  for (const [key, value] of point.tags) {
    const escapedKey = put(key, 'key');
    const escapedValue = put(value, 'key');
    // Only a 1.x name made of backslashes gets here; an empty tag would fail the whole line.
    if (escapedKey !== '' && escapedValue !== '') line += ',' + escapedKey + '=' + escapedValue;
  }
  let separator = ' ';
  for (const [key, value] of point.fields) {
    const escapedKey = put(key, 'fieldKey');
    line += separator + (escapedKey === '' ? EMPTY_FIELD_KEY : escapedKey) + '=';
    line += formatFieldValue(value);
    separator = ',';
  }
  return { line: line + ' ' + point.timeNs, altered };
}
