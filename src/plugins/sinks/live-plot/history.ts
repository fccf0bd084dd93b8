/**
 * History for a live plot page from a SQLite store that SQLiteDataSink writes: the newest
 * points of each trace in a time range ("last hour") or of the current run, read newest
 * first a page at a time, so that a page asking for history never holds up the daemon for
 * long and never costs more than `npoints` points per trace.
 */
import type { DataRecord } from '../../../core/node.js';
import { errorMessage } from '../../../core/errors.js';
import { rowToRecord } from '../../../io/record-table.js';
import { StoreReader } from '../../../io/store-reader.js';
import type { KeyValSelector } from '../../../python/selector.js';
import { readPoint } from './reading.js';

export const HISTORY_RANGES = ['hour', 'run'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export interface HistoryRequest {
  readonly filename: string;
  readonly range: HistoryRange;
  readonly selectors: readonly KeyValSelector[];
  /** Points per trace at most: the newest are kept. */
  readonly maxPoints: number;
  readonly nowMs: number;
  /** Only points older than this (ms since the epoch): what the page holds live is not sent again. */
  readonly beforeMs?: number | undefined;
}

export interface HistoryResult {
  /** Per trace with points: [index, xs (ms since the epoch, oldest first), ys]. */
  readonly traces: [number, number[], number[]][];
  /** Rows read from the store. */
  readonly scanned: number;
  /** True when a trace reached `maxPoints`, or the scan its row limit, before the range's start. */
  readonly truncated: boolean;
  /** The start of the range, ms since the epoch (the run's first row for 'run'). */
  readonly fromMs: number | null;
}

/** Rows read per query; the event loop runs between pages. */
const PAGE_ROWS = 5000;
/** A history request reads at most this many rows (a few seconds of work at most). */
export const MAX_SCANNED_ROWS = 1_000_000;
const HOUR_MS = 3_600_000;
/**
 * History points per trace at most (or npoints, if more): an hour at 10 readings a second
 * fits, and a page draws it easily; 16 bytes a point while a request is answered.
 */
export const MAX_HISTORY_POINTS = 50_000;

export async function loadHistory(request: HistoryRequest): Promise<HistoryResult> {
  const reader = StoreReader.open(request.filename);
  try {
    return await scan(reader, request);
  } finally {
    reader.close();
  }
}

async function scan(reader: StoreReader, request: HistoryRequest): Promise<HistoryResult> {
  const { selectors, maxPoints } = request;
  let runNos: number[] | undefined;
  let fromUs = (request.nowMs - HOUR_MS) * 1000;
  if (request.range === 'run') {
    // The daemon's own run is the newest one in its store.
    runNos = reader.runNumbers('last');
    fromUs = Number.MIN_SAFE_INTEGER;
    if (runNos.length === 0) return { traces: [], scanned: 0, truncated: false, fromMs: null };
  }
  const xs: number[][] = selectors.map(() => []);
  const ys: number[][] = selectors.map(() => []);
  let full = 0;
  let scanned = 0;
  let oldestMs: number | null = null;
  // Rows of the same microsecond as `beforeMs` are not older: (t, MIN, MIN) excludes them.
  let before = {
    timeUs: request.beforeMs === undefined ? Number.MAX_SAFE_INTEGER : request.beforeMs * 1000,
    runNo: Number.MIN_SAFE_INTEGER,
    seq: Number.MIN_SAFE_INTEGER,
  };
  for (;;) {
    const rows = reader.newestFirst(before, PAGE_ROWS, { fromUs, runNos });
    for (const row of rows) {
      scanned += 1;
      const record = decode(row);
      if (record === undefined) continue;
      const x = Number(row.time_us) / 1000;
      oldestMs = x;
      for (let t = 0; t < selectors.length; t++) {
        if (!(selectors[t] as KeyValSelector).matches(record)) continue;
        // Every trace that selects a record gets it, as live records do.
        const trace = xs[t] as number[];
        if (trace.length >= maxPoints) continue;
        const point = readPoint(record, x);
        if (!point.ok) break;
        trace.push(x);
        (ys[t] as number[]).push(point.y);
        if (trace.length === maxPoints) full += 1;
      }
    }
    const last = rows.at(-1);
    const done = rows.length < PAGE_ROWS || full === selectors.length;
    if (done || last === undefined) break;
    if (scanned >= MAX_SCANNED_ROWS) {
      return result(xs, ys, scanned, true, oldestMs);
    }
    before = { timeUs: Number(last.time_us), runNo: last.run_no, seq: last.seq };
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const fromMs = request.range === 'hour' ? fromUs / 1000 : oldestMs;
  return result(xs, ys, scanned, full > 0, fromMs);
}

function decode(row: Parameters<typeof rowToRecord>[0]): DataRecord | undefined {
  try {
    return rowToRecord(row);
  } catch {
    // A row this version cannot rebuild is skipped here; the replay source reports them.
    return undefined;
  }
}

function result(
  xs: number[][],
  ys: number[][],
  scanned: number,
  truncated: boolean,
  fromMs: number | null,
): HistoryResult {
  const traces: [number, number[], number[]][] = [];
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t] as number[];
    if (x.length === 0) continue;
    traces.push([t, x.reverse(), (ys[t] as number[]).reverse()]);
  }
  return { traces, scanned, truncated, fromMs };
}

/** Why a history request failed, for the page: the store's path and the reason. */
export function historyFailure(filename: string, err: unknown): string {
  return `cannot read the store ${filename}: ${errorMessage(err)}`;
}
