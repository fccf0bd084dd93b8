import { RecordStoreSink, type RunInfo } from '../../../io/record-store-sink.js';
import { announceStore } from '../../../io/store-registry.js';
import { schema, type SQLiteOptions } from './options.js';
import { Retention } from './retention.js';
import { SQLiteTransport } from './transport.js';

/**
 * SQLite writes are synchronous; a batch cannot be abandoned half way, so this only bounds
 * how long the writer waits for one in its bookkeeping.
 */
const WRITE_TIMEOUT_SECONDS = 60;

/** Every record as one row of a SQLite file, readable while it is written; docs/stores.md. */
export class SQLiteDataSink extends RecordStoreSink<SQLiteTransport> {
  static readonly description =
    'Writes each record as one row to a SQLite file (WAL mode, readable while written): time to the microsecond, run, type, id, value, units, the other keys as JSON. Batched in transactions; while the file is locked, the disk full or the directory gone, rows wait in a bounded buffer and are retried; optional retention (keep). See docs/stores.md.';
  static readonly optionsSchema = schema;
  static override readonly durable = true;

  readonly #options: SQLiteOptions;
  readonly #expired = this.counters('rows_expired');
  #retention: Retention | undefined;
  #withdraw: (() => void) | undefined;

  constructor(options: SQLiteOptions) {
    super({ ...options, timeout: WRITE_TIMEOUT_SECONDS }, options.run_id);
    this.#options = options;
    this.declareEvents('DATALOGD_ERR_STORE_RETENTION_FAILED');
  }

  /** The database file, as an absolute path. */
  get path(): string {
    return this.transport.target;
  }

  protected override makeTransport(run: RunInfo): SQLiteTransport {
    const o = this.#options;
    return new SQLiteTransport({
      filename: o.filename,
      run,
      busyTimeoutMs: o.busy_timeout * 1000,
      synchronous: o.synchronous,
    });
  }

  override start(): void {
    super.start();
    // A live plot of the same graph can offer this store's history.
    this.#withdraw ??= announceStore(this.path);
    const keep = this.#options.keep;
    if (keep === null || this.#retention !== undefined) return;
    const transport = this.transport;
    const expired = this.#expired;
    this.#retention = new Retention({
      keepSeconds: keep,
      deleteOlder: (cutoffUs, limit) => transport.deleteOlder(cutoffUs, limit),
      report: this.reporter,
      target: transport.target,
      deleted: (count) => {
        expired.rows_expired += count;
      },
    });
    this.#retention.start();
  }

  protected override async onClose(): Promise<void> {
    this.#retention?.stop();
    this.#withdraw?.();
    this.#withdraw = undefined;
    await super.onClose();
  }
}
