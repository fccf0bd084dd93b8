import { utf8Bytes } from '../core/bounded-queue.js';
import type { DataRecord } from '../core/node.js';
import { decodeRecordJson, encodeRecordJson } from './record-json.js';

/**
 * The layout both stores (SQLite and PostgreSQL) keep records in, one row per record; see
 * docs/stores.md. Version 1. A store writes it into its schema table, so that a later
 * version can tell what it opens and migrate it.
 */
export const RECORD_TABLE_VERSION = 1;

/**
 * One record as a row, without the two run columns (`run`, `run_no`), which the store adds:
 * they are the same for every row of a daemon start.
 */
export interface RecordRow {
  /** Microseconds since the Unix epoch (UTC): the record's `timestamp`, else the receipt's time. */
  readonly timeUs: number;
  /** Whether `timeUs` is the record's own `timestamp` (true) or the time it was received. */
  readonly stamped: boolean;
  /** The record's number in its run, from 1: with `run_no`, the row's unique key. */
  readonly seq: number;
  /** The number of the receipt (one `receive` call) the record came in, from 1. */
  readonly receipt: number;
  readonly type: string | null;
  readonly id: string | null;
  /** The value when it is a number (booleans as 1 and 0), else null. */
  readonly value: number | null;
  readonly units: string | null;
  /** Every key not held by a column above, as `encodeRecordJson` writes it; null when none. */
  readonly extra: string | null;
}

/** The columns as a store reads them back (the SQLite and PostgreSQL drivers give these). */
export interface StoredRow {
  readonly time_us: number | bigint;
  readonly stamped: number | boolean;
  readonly type: string | null;
  readonly id: string | null;
  readonly value: number | null;
  readonly units: string | null;
  readonly extra: string | null;
}

export interface RowResult {
  readonly row: RecordRow;
  /** The record had a `timestamp` that is neither a Date nor ISO 8601 text: receipt time used. */
  readonly badTimestamp: boolean;
}

/** Seconds-precision ISO text, an optional fraction, then the rest (the zone). */
const ISO_FRACTION = /^(\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})[.,](\d+)(.*)$/;

/**
 * A `timestamp` as microseconds since the epoch: a `Date`, or ISO 8601 text whose fraction
 * is kept to the microsecond (further digits are cut; the text itself is kept as it was).
 * `undefined` when it is not a valid time.
 */
export function timestampToUs(value: unknown): number | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = ISO_FRACTION.exec(text);
  if (match === null) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  const [, whole = '', fraction = '', zone = ''] = match;
  const ms = Date.parse(whole.replace(' ', 'T') + zone);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(fraction.slice(0, 6).padEnd(6, '0'));
}

/** The keys with a column of their own, in the order a rebuilt record has them. */
const COLUMN_KEYS = ['type', 'id', 'value', 'units'] as const;

/** Text a text column holds as it is; anything else goes to `extra`, to keep its type. */
function columnText(value: unknown): value is string {
  // PostgreSQL text cannot hold NUL; the JSON column can.
  return typeof value === 'string' && !value.includes('\u0000');
}

/**
 * Turns the records of each receipt into rows: numbers the records and receipts of one
 * daemon start, and takes the receipt's time once per receipt.
 */
export class RowMaker {
  readonly #now: () => number;
  #seq = 0;
  #receipt = 0;
  #receiptUs = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Call once per `receive`, before its records. */
  beginReceipt(): void {
    this.#receipt += 1;
    this.#receiptUs = Math.floor(this.#now()) * 1000;
  }

  row(record: DataRecord): RowResult {
    let type: string | null = null;
    let id: string | null = null;
    let value: number | null = null;
    let units: string | null = null;
    let extra: Record<string, unknown> | undefined;
    let timeUs: number | undefined;
    let badTimestamp = false;
    // Whether the keys come in the order `rowToRecord` rebuilds (the columns first, in
    // column order, then the rest, then a Date timestamp); if not, `extra` keeps them all.
    let inOrder = true;
    let lastRank = -1;
    let extraStarted = false;
    const column = (rank: number): void => {
      if (extraStarted || rank < lastRank) inOrder = false;
      lastRank = rank;
    };
    const toExtra = (key: string, v: unknown): void => {
      if (lastRank === COLUMN_KEYS.length) inOrder = false;
      extraStarted = true;
      (extra ??= emptyRecord())[key] = v;
    };
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (v === undefined) continue;
      switch (key) {
        case 'type':
          if (columnText(v)) {
            type = v;
            column(0);
          } else toExtra(key, v);
          break;
        case 'id':
          if (columnText(v)) {
            id = v;
            column(1);
          } else toExtra(key, v);
          break;
        case 'value':
          if (typeof v === 'number' && Number.isFinite(v)) {
            value = v;
            column(2);
          } else {
            // Numeric for SQL, and the exact value in `extra` for the way back.
            if (typeof v === 'boolean') value = v ? 1 : 0;
            else if (typeof v === 'bigint' && Number.isFinite(Number(v))) value = Number(v);
            toExtra(key, v);
          }
          break;
        case 'units':
          if (columnText(v)) {
            units = v;
            column(3);
          } else toExtra(key, v);
          break;
        case 'timestamp':
          timeUs = timestampToUs(v);
          if (timeUs === undefined && v !== null) badTimestamp = true;
          // A Date comes back from the time column; anything else (ISO text with its own
          // precision and zone, a bad value) is kept as it was.
          if (v instanceof Date && timeUs !== undefined) {
            if (lastRank === COLUMN_KEYS.length) inOrder = false;
            lastRank = COLUMN_KEYS.length;
          } else toExtra(key, v);
          break;
        default:
          toExtra(key, v);
      }
    }
    if (!inOrder) extra = allKeys(record);
    this.#seq += 1;
    return {
      badTimestamp,
      row: {
        timeUs: timeUs ?? this.#receiptUs,
        stamped: timeUs !== undefined,
        seq: this.#seq,
        receipt: this.#receipt,
        type,
        id,
        value,
        units,
        extra: extra === undefined ? null : encodeRecordJson(extra),
      },
    };
  }
}

/** Every key of a record, in its order: `extra` for a record whose order is unusual. */
function allKeys(record: DataRecord): Record<string, unknown> {
  const all = emptyRecord();
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined) all[key] = record[key];
  }
  return all;
}

/** Bytes a row holds in a write buffer (its text, and a fixed part for the numbers). */
export function rowBytes(row: RecordRow): number {
  let bytes = 64;
  if (row.type !== null) bytes += utf8Bytes(row.type);
  if (row.id !== null) bytes += utf8Bytes(row.id);
  if (row.units !== null) bytes += utf8Bytes(row.units);
  if (row.extra !== null) bytes += utf8Bytes(row.extra);
  return bytes;
}

/** The tables of a store, the same in SQLite and PostgreSQL. */
export const STORE_TABLES = {
  /** One row per record. */
  records: 'records',
  /** One row per daemon start (per sink): `run_no`, the `run` label, when, where. */
  runs: 'runs',
  /** The layout version each datalogd that opened the store found or made. */
  schemaVersion: 'schema_version',
} as const;

/**
 * The record a row was made from, keys in their order, values with their types (a Date is
 * a Date, a BigInt a BigInt, NaN is NaN): the keys with columns first, then those in
 * `extra` in its order, then a `timestamp` Date from the time column. (A record whose keys
 * came in another order has all of them in `extra`.)
 * Throws when `extra` is not the JSON a store writes.
 */
export function rowToRecord(row: StoredRow, options: { addTimestamp?: boolean } = {}): DataRecord {
  const extra = row.extra === null ? undefined : decodeRecordJson(row.extra);
  const record: DataRecord = {};
  if (row.type !== null && (extra === undefined || !Object.hasOwn(extra, 'type'))) {
    record.type = row.type;
  }
  if (row.id !== null && (extra === undefined || !Object.hasOwn(extra, 'id'))) record.id = row.id;
  if (row.value !== null && (extra === undefined || !Object.hasOwn(extra, 'value'))) {
    record.value = row.value;
  }
  if (row.units !== null && (extra === undefined || !Object.hasOwn(extra, 'units'))) {
    record.units = row.units;
  }
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) {
      // A key named `__proto__` is data here, not the prototype.
      Object.defineProperty(record, key, {
        value: extra[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  const stamped = row.stamped === true || row.stamped === 1;
  if (!Object.hasOwn(record, 'timestamp') && (stamped || options.addTimestamp === true)) {
    record.timestamp = new Date(Number(row.time_us) / 1000);
  }
  return record;
}

/** An object for record keys in which `__proto__` is an ordinary key. */
function emptyRecord(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
