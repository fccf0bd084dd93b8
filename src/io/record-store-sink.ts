import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Backoff } from '../core/backoff.js';
import { DataSink, type Data, type PendingOutput } from '../core/node.js';
import { isRecord } from '../python/records.js';
import { listify } from '../python/values.js';
import { BatchWriter, type BatchTransport, type BatchWriterEvents } from './batch-writer.js';
import { rowBytes, RowMaker, type RecordRow } from './record-table.js';
import { defaultRunId } from './run-id.js';

/** Batching, buffering and retry settings of a store sink (its options of these names). */
export interface StoreWriteSettings {
  readonly batch_size: number;
  readonly flush_interval: number;
  readonly buffer_records: number;
  readonly buffer_bytes: number;
  /** Seconds one write may take before it is abandoned and retried. */
  readonly timeout: number;
  readonly retry_min: number;
  readonly retry_max: number;
  readonly close_timeout: number;
}

/** One daemon start of one sink: what its `runs` row says. */
export interface RunInfo {
  /** The label every row carries in `run` (the `run_id` option, else the start time). */
  readonly run: string;
  readonly startedUs: number;
  readonly host: string;
  readonly pid: number;
  /** Unique to this start: registering the run twice (a lost reply) finds the same row. */
  readonly startKey: string;
}

const WRITER_EVENTS: BatchWriterEvents = {
  bufferFull: 'DATALOGD_ERR_STORE_BUFFER_FULL',
  refused: 'DATALOGD_ERR_STORE_REFUSED',
  failed: 'DATALOGD_ERR_STORE_WRITE_FAILED',
  unsentAtClose: 'DATALOGD_ERR_STORE_UNSENT_AT_CLOSE',
};

/**
 * What the SQLite and PostgreSQL sinks share: records become rows of the one layout
 * (`record-table.ts`), and rows go through the shared bounded, retrying `BatchWriter` to
 * the store's transport. A store sink supplies only its transport.
 */
export abstract class RecordStoreSink<
  T extends BatchTransport<RecordRow> = BatchTransport<RecordRow>,
> extends DataSink {
  readonly #settings: StoreWriteSettings;
  readonly #runId: string | null;
  readonly #rows = new RowMaker();
  readonly #counts = this.counters('records_received', 'records_written');
  #writer: BatchWriter<RecordRow> | undefined;
  #transport: T | undefined;
  #run: RunInfo | undefined;
  #target = '';
  #started = false;

  protected constructor(settings: StoreWriteSettings, runId: string | null) {
    super();
    this.#settings = settings;
    this.#runId = runId;
    this.declareEvents(
      'DATALOGD_ERR_STORE_NOT_RECORD',
      'DATALOGD_ERR_STORE_BAD_TIMESTAMP',
      'DATALOGD_ERR_STORE_BUFFER_FULL',
      'DATALOGD_ERR_STORE_REFUSED',
      'DATALOGD_ERR_STORE_UNSENT_AT_CLOSE',
      'DATALOGD_ERR_STORE_WRITE_FAILED',
    );
  }

  /** The transport for this run; called once, at start (or at the first receipt). */
  protected abstract makeTransport(run: RunInfo): T;

  /** The store's transport (made on first use, with the run). */
  protected get transport(): T {
    this.#ensureWriter();
    return this.#transport as T;
  }

  /** This start's run (fixed at start). */
  get run(): RunInfo {
    this.#ensureWriter();
    return this.#run as RunInfo;
  }

  override start(): void {
    if (this.#started) return;
    this.#started = true;
    const writer = this.#ensureWriter();
    writer.start();
    this.log.info(`Writing to ${this.#target} as run "${this.run.run}".`);
  }

  override receive(data: Data): undefined {
    if (data === null || data === undefined) return undefined;
    const items = listify(data);
    if (items.length === 0) return undefined;
    const writer = this.#ensureWriter();
    const rows = this.#rows;
    const counts = this.#counts;
    rows.beginReceipt();
    for (const item of items) {
      counts.records_received += 1;
      if (!isRecord(item)) {
        this.report(
          'DATALOGD_ERR_STORE_NOT_RECORD',
          `Skipped an item that is not a record (an object): ${typeof item}`,
        );
        continue;
      }
      const { row, badTimestamp } = rows.row(item);
      if (badTimestamp) {
        this.report(
          'DATALOGD_ERR_STORE_BAD_TIMESTAMP',
          "A record's timestamp is neither a Date nor ISO 8601 text; stored with the receipt time (the value is kept in extra)",
        );
      }
      writer.add(row);
    }
    return undefined;
  }

  protected override gauges(): Record<string, number> {
    return {
      records_buffered: this.#writer?.buffered ?? 0,
      buffered_bytes: this.#writer?.bufferedBytes ?? 0,
    };
  }

  override pendingOutput(): PendingOutput {
    return { records: this.#writer?.buffered ?? 0, bytes: this.#writer?.bufferedBytes ?? 0 };
  }

  protected override async onClose(): Promise<void> {
    await this.#writer?.close();
  }

  #ensureWriter(): BatchWriter<RecordRow> {
    if (this.#writer !== undefined) return this.#writer;
    const started = new Date();
    const run: RunInfo = {
      run: this.#runId ?? defaultRunId(started),
      startedUs: started.getTime() * 1000,
      host: hostname(),
      pid: process.pid,
      startKey: randomUUID(),
    };
    this.#run = run;
    const transport = this.makeTransport(run);
    this.#transport = transport;
    this.#target = transport.target;
    const s = this.#settings;
    const counts = this.#counts;
    this.#writer = new BatchWriter<RecordRow>({
      transport,
      report: this.reporter,
      events: WRITER_EVENTS,
      noun: 'record',
      sizeOf: rowBytes,
      written: (count) => {
        counts.records_written += count;
      },
      failed: (message) => {
        this.setHealth(false, message);
      },
      recovered: (failedForMs, stillBuffered) => {
        this.setHealth(true);
        this.log.info(
          `Writing to ${this.#target} again after ${Math.round(failedForMs / 1000)} s of failures; ${stillBuffered} record(s) still buffered.`,
        );
      },
      batchSize: s.batch_size,
      flushIntervalMs: s.flush_interval * 1000,
      bufferItems: s.buffer_records,
      bufferBytes: s.buffer_bytes,
      requestTimeoutMs: s.timeout * 1000,
      closeTimeoutMs: s.close_timeout * 1000,
      backoff: new Backoff({ minMs: s.retry_min * 1000, maxMs: s.retry_max * 1000 }),
    });
    return this.#writer;
  }
}
