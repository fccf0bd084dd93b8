/**
 * A record as a point: x is its `timestamp` in milliseconds (a Date, an ISO 8601 text, or
 * Unix seconds as Python's `timestamp()` gives them; missing means when it arrived), y its
 * `value` as a number.
 */
import type { DataRecord } from '../../../core/node.js';

export type Reading =
  | { readonly ok: true; readonly x: number; readonly y: number }
  | { readonly ok: false; readonly reason: 'no value' | 'not numeric' | 'bad timestamp' };

const NO_VALUE: Reading = { ok: false, reason: 'no value' };
const NOT_NUMERIC: Reading = { ok: false, reason: 'not numeric' };
const BAD_TIMESTAMP: Reading = { ok: false, reason: 'bad timestamp' };

export function readPoint(record: DataRecord, receivedAt: number): Reading {
  const y = numeric(record.value);
  if (y === undefined) return NO_VALUE;
  if (Number.isNaN(y)) return NOT_NUMERIC;
  const x = time(record.timestamp, receivedAt);
  if (Number.isNaN(x)) return BAD_TIMESTAMP;
  return { ok: true, x, y };
}

/** undefined when there is no value; NaN when there is one that is not a finite number. */
function numeric(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : NaN;
    case 'bigint':
      return Number(value);
    case 'boolean':
      return value ? 1 : 0;
    case 'string': {
      const trimmed = value.trim();
      const n = trimmed === '' ? NaN : Number(trimmed);
      return Number.isFinite(n) ? n : NaN;
    }
    case 'undefined':
      return undefined;
    default:
      return value === null ? undefined : NaN;
  }
}

function time(stamp: unknown, receivedAt: number): number {
  if (stamp === undefined || stamp === null) return receivedAt;
  if (stamp instanceof Date) return stamp.getTime();
  if (typeof stamp === 'string') return Date.parse(stamp);
  if (typeof stamp === 'number' && Number.isFinite(stamp)) return stamp * 1000;
  return NaN;
}
