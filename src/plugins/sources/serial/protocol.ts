import { parseDotJson } from '../../../python/values.js';
import { parsePythonJson } from '../../../python/json.js';
import { isRecord, truthy } from '../../../python/records.js';

/** The message kind whose `data` the host sends on; every other kind is ignored. */
export const MEASUREMENT = 'measurement';
/** What our sketch sends when it has nothing to report, so a probe always finds a line. */
export const KEEPALIVE = 'keepalive';

/** The header every line of a logging board carries. */
export interface BoardHeader {
  readonly board: string;
  readonly timestamp: unknown;
  readonly message: string;
}

export type BoardLine =
  | {
      readonly kind: 'measurement';
      readonly header: BoardHeader;
      readonly records: readonly unknown[];
    }
  | { readonly kind: 'other'; readonly header: BoardHeader }
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads one line of the board protocol (docs/serial-protocol.md). A blank line is `empty`
 * (boards print them at boot); text that is not a JSON object with the three header fields
 * is `invalid`; a measurement's records have their `value` decoded like a DOT attribute, so
 * `"20.25"` becomes 20.25 and `"None"` becomes null.
 */
export function parseBoardLine(text: string): BoardLine {
  if (text.trim() === '') return { kind: 'empty' };
  let parsed: unknown;
  try {
    parsed = parsePythonJson(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  const header = boardHeader(parsed);
  if (header === undefined) {
    return { kind: 'invalid', reason: 'not an object with "board", "timestamp" and "message"' };
  }
  if (header.message !== MEASUREMENT) return { kind: 'other', header };
  const data = (parsed as Record<string, unknown>).data;
  if (!Array.isArray(data)) {
    return { kind: 'invalid', reason: 'a measurement without a "data" list' };
  }
  return { kind: 'measurement', header, records: data.map(decodeRecord) };
}

/**
 * The probe's test, as Python datalogd makes it: an object whose `board`, `timestamp` and
 * `message` are all present and truthy. `board` and `message` are compared as text later.
 */
export function boardHeader(value: unknown): BoardHeader | undefined {
  if (!isRecord(value)) return undefined;
  const { board, timestamp, message } = value;
  if (!truthy(board) || !truthy(timestamp) || !truthy(message)) return undefined;
  return { board: textOf(board), timestamp, message: textOf(message) };
}

function decodeRecord(item: unknown): unknown {
  if (!isRecord(item) || !Object.hasOwn(item, 'value')) return item;
  return { ...item, value: parseDotJson(item.value) };
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
