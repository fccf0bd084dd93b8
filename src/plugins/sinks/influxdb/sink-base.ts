import { listify } from '../../../python/values.js';
import { Backoff } from '../../../core/backoff.js';
import { DataSink, type Data } from '../../../core/node.js';
import { RateLimitedLog } from '../../../core/rate-limit.js';
import { isRecord } from '../../../python/records.js';
import { BatchWriter } from './batch-writer.js';
import { formatLine, type Dialect } from './line-protocol.js';
import type { WriteSettings } from './options.js';
import { recordToPoint, type MappingOptions } from './point.js';
import { ReceiptClock } from './time.js';
import type { LineTransport } from './transport.js';

/**
 * What the 1.x and 2.x sinks share: records become points (one per record), points become
 * lines, and lines go through the bounded, retrying `BatchWriter`. Subclasses supply the
 * transport, the mapping and the line-protocol dialect.
 */
export abstract class InfluxSinkBase extends DataSink {
  readonly #settings: WriteSettings;
  readonly #clock = new ReceiptClock();
  #writer: BatchWriter | undefined;
  #target = '';
  #mapping: MappingOptions | undefined;
  #warnings: RateLimitedLog | undefined;
  #started = false;
  #received = 0;
  #skipped = 0;
  #badTimestamps = 0;
  #namesAltered = 0;

  protected constructor(settings: WriteSettings) {
    super();
    this.#settings = settings;
  }

  protected abstract readonly dialect: Dialect;

  /** Builds the transport; called once, when the first record arrives or at start. */
  protected abstract createTransport(): LineTransport;

  /** The mapping, with the run id fixed; called once, like `createTransport`. */
  protected abstract createMapping(): MappingOptions;

  /** The run id in use (fixed at start). */
  get runId(): string {
    return this.#ensureReady().mapping.runId;
  }

  override start(): void {
    if (this.#started) return;
    this.#started = true;
    const { writer, mapping } = this.#ensureReady();
    writer.start();
    this.log.info(`Writing to ${this.#target} as run "${mapping.runId}".`);
  }

  override receive(data: Data): undefined {
    if (data === null || data === undefined) return undefined;
    const items = listify(data);
    if (items.length === 0) return undefined;
    const { writer, mapping } = this.#ensureReady();
    const receiptNs = String(this.#clock.next());
    for (const item of items) {
      this.#received += 1;
      if (!isRecord(item)) {
        this.#skip('it is not a record');
        continue;
      }
      const result = recordToPoint(item, mapping, receiptNs);
      if (!result.ok) {
        this.#skip(result.reason);
        continue;
      }
      if (result.badTimestamp) {
        this.#badTimestamps += 1;
        this.#warn(
          'timestamp',
          `A record's timestamp is neither a Date nor ISO 8601 text; the receipt time was used (${this.#badTimestamps} so far).`,
        );
      }
      const { line, altered } = formatLine(result.point, this.dialect);
      if (altered > 0) {
        this.#namesAltered += altered;
        this.#warn(
          'altered',
          `A name, tag or field key holds a line break${this.dialect === '1.x' ? ' or ends with a backslash' : ''}, which line protocol cannot carry; it was written altered (${this.#namesAltered} so far).`,
        );
      }
      writer.add(line);
    }
    return undefined;
  }

  override stats(): Record<string, number> {
    return {
      ...super.stats(),
      records_received: this.#received,
      records_skipped: this.#skipped,
      bad_timestamps: this.#badTimestamps,
      names_altered: this.#namesAltered,
      ...(this.#writer?.stats() ?? {}),
    };
  }

  protected override async onClose(): Promise<void> {
    await this.#writer?.close();
  }

  #ensureReady(): { writer: BatchWriter; mapping: MappingOptions } {
    if (this.#writer === undefined || this.#mapping === undefined) {
      const transport = this.createTransport();
      const s = this.#settings;
      this.#target = transport.target;
      this.#mapping = this.createMapping();
      this.#writer = new BatchWriter({
        transport,
        log: this.log,
        batchSize: s.batch_size,
        flushIntervalMs: s.flush_interval * 1000,
        bufferLines: s.buffer_points,
        bufferBytes: s.buffer_bytes,
        requestTimeoutMs: s.timeout * 1000,
        closeTimeoutMs: s.close_timeout * 1000,
        backoff: new Backoff({
          minMs: s.retry_min * 1000,
          maxMs: Math.max(s.retry_min, s.retry_max) * 1000,
        }),
      });
    }
    return { writer: this.#writer, mapping: this.#mapping };
  }

  #skip(reason: string): void {
    this.#skipped += 1;
    this.#warn(
      `skip ${reason}`,
      `Skipped a record: ${reason} (values must be numbers, booleans or text; ${this.#skipped} skipped so far).`,
    );
  }

  #warn(key: string, message: string): void {
    this.#warnings ??= new RateLimitedLog(this.log);
    this.#warnings.warning(key, message);
  }
}
