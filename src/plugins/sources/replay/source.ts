import nodePath from 'node:path';
import { Backoff, sleep } from '../../../core/backoff.js';
import { errorMessage } from '../../../core/errors.js';
import { DataSource, type DataRecord } from '../../../core/node.js';
import { rowToRecord } from '../../../io/record-table.js';
import { KeyValSelector } from '../../../python/selector.js';
import { schema, type ReplayOptions, type TimeBound } from './options.js';
import { Pacer } from './pace.js';
import {
  StoreReader,
  type Cursor,
  type ReplayRow,
  type RowFilter,
} from '../../../io/store-reader.js';

/** Rows read per query; between pages the event loop is free (speed=max yields there). */
const PAGE_ROWS = 2000;

/** Sends again, receipt by receipt, the records a SQLiteDataSink stored; docs/stores.md. */
export class ReplayDataSource extends DataSource {
  static readonly description =
    "Reads a SQLite store written by SQLiteDataSink and sends its records again, receipt by receipt as they were received, with their types, Date timestamps and extra keys: as fast as the graph takes them (speed='max') or at the recorded pace times speed; a time range (start, end), a run and a key/value selector narrow it. See docs/stores.md.";
  static readonly optionsSchema = schema;

  readonly #options: ReplayOptions;
  readonly #selector: KeyValSelector | undefined;
  readonly #stop = new AbortController();
  readonly #counts = this.counters('records_replayed', 'receipts_replayed');
  readonly #path: string;
  #running: Promise<void> | undefined;

  constructor(options: ReplayOptions) {
    super();
    this.#options = options;
    this.#path = nodePath.resolve(options.filename);
    this.#selector = options.select === null ? undefined : new KeyValSelector(options.select);
    this.declareEvents('DATALOGD_ERR_REPLAY_READ_FAILED', 'DATALOGD_ERR_REPLAY_BAD_ROW');
  }

  /** Resolves when everything selected has been sent (or the source was closed). */
  get finished(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  override start(): void {
    if (this.#stop.signal.aborted) return;
    this.#running ??= this.#run();
  }

  protected override async onClose(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const backoff = new Backoff({ minMs: 250, maxMs: 5000 });
    const started = Date.now();
    let reader: StoreReader | undefined;
    let filter: RowFilter | undefined;
    while (!signal.aborted && filter === undefined) {
      try {
        reader ??= StoreReader.open(this.#path);
        filter = this.#filter(reader, started);
      } catch (err) {
        reader?.close();
        reader = undefined;
        this.#readFailed(err);
        await sleep(backoff.next(), signal);
      }
    }
    if (reader === undefined || filter === undefined) return;
    try {
      await this.#replay(reader, filter, backoff);
    } finally {
      reader.close();
    }
  }

  #filter(reader: StoreReader, startedMs: number): RowFilter {
    const o = this.#options;
    const runNos = o.run === null ? undefined : reader.runNumbers(o.run);
    return {
      runNos,
      fromUs: boundUs(o.start, startedMs),
      beforeUs: boundUs(o.end, startedMs),
    };
  }

  async #replay(reader: StoreReader, filter: RowFilter, backoff: Backoff): Promise<void> {
    const signal = this.#stop.signal;
    const speed = this.#options.speed;
    const pacer = speed === 'max' ? undefined : new Pacer(speed);
    let cursor: Cursor = { runNo: Number.MIN_SAFE_INTEGER, seq: Number.MIN_SAFE_INTEGER };
    let receipt: DataRecord[] = [];
    let receiptRun = Number.NaN;
    let receiptNo = Number.NaN;
    let receiptUs = 0;
    let nothing = filter.runNos?.length === 0;
    while (!signal.aborted && !nothing) {
      let rows: ReplayRow[];
      try {
        rows = reader.page(cursor, PAGE_ROWS, filter);
        backoff.reset();
      } catch (err) {
        this.#readFailed(err);
        await sleep(backoff.next(), signal);
        continue;
      }
      for (const row of rows) {
        if (row.receipt !== receiptNo || row.run_no !== receiptRun) {
          if (receipt.length > 0 && !(await this.#emit(receipt, receiptUs, pacer))) return;
          receipt = [];
          receiptRun = row.run_no;
          receiptNo = row.receipt;
          receiptUs = Number(row.time_us);
        }
        const record = this.#decode(row);
        if (record !== undefined && (this.#selector?.matches(record) ?? true)) receipt.push(record);
      }
      const last = rows.at(-1);
      if (last === undefined) break;
      cursor = { runNo: last.run_no, seq: last.seq };
      if (rows.length < PAGE_ROWS) nothing = true;
      // Let the rest of the daemon (the sinks' writers, timers) run between pages.
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!(await this.#emit(receipt, receiptUs, pacer))) return;
    const c = this.#counts;
    this.log.info(
      `Replayed ${c.records_replayed} record(s) in ${c.receipts_replayed} receipt(s) from ${this.#path}; nothing more to send.`,
    );
  }

  /** Sends one receipt when it is due; false when the source was closed meanwhile. */
  async #emit(records: DataRecord[], timeUs: number, pacer: Pacer | undefined): Promise<boolean> {
    if (records.length === 0) return !this.#stop.signal.aborted;
    if (pacer !== undefined && !(await pacer.wait(timeUs, this.#stop.signal))) return false;
    this.#counts.records_replayed += records.length;
    this.#counts.receipts_replayed += 1;
    this.send(records);
    return true;
  }

  #decode(row: ReplayRow): DataRecord | undefined {
    try {
      return rowToRecord(row, { addTimestamp: this.#options.add_timestamp });
    } catch (err) {
      this.report(
        'DATALOGD_ERR_REPLAY_BAD_ROW',
        `Skipped row ${row.run_no}/${row.seq} of ${this.#path}: ${errorMessage(err)}`,
      );
      return undefined;
    }
  }

  #readFailed(err: unknown): void {
    this.report(
      'DATALOGD_ERR_REPLAY_READ_FAILED',
      `Cannot read ${this.#path}: ${errorMessage(err)}; trying again`,
    );
  }
}

function boundUs(bound: TimeBound | null, startedMs: number): number | undefined {
  if (bound === null) return undefined;
  if (bound.kind === 'at') return bound.us;
  return (startedMs - bound.seconds * 1000) * 1000;
}
