import { Backoff } from '../../../core/backoff.js';
import { utf8Bytes } from '../../../core/bounded-queue.js';
import { DatalogdError } from '../../../core/errors.js';
import { DataSink, type Data, type PendingOutput } from '../../../core/node.js';
import { BatchWriter, type BatchWriterEvents } from '../../../io/batch-writer.js';
import { isRecord } from '../../../python/records.js';
import { listify } from '../../../python/values.js';
import { resolveSecret, Secret } from '../../options.js';
import { formatLine, type Dialect } from './line-protocol.js';
import type { WriteSettings } from './options.js';
import { recordToPoint, type MappingOptions } from './point.js';
import { defaultRunId, ReceiptClock } from './time.js';
import type { LineTransport } from './transport.js';

/** What tells the 1.x sink from the 2.x sink: the rest of the definition is shared. */
export interface InfluxVersion<O extends WriteSettings> {
  readonly dialect: Dialect;
  /** The secret option and its `*_env` partner (`password`, `token`). */
  readonly secretOption: string;
  secret(options: O): { readonly inline: Secret; readonly envName: string | null };
  transport(options: O, secret: Secret): LineTransport;
  /** Measurement, run tag and run id (null: the start time) of every point. */
  mapping(options: O): Pick<MappingOptions, 'measurement' | 'runTag'> & { runId: string | null };
}

const WRITER_EVENTS: BatchWriterEvents = {
  bufferFull: 'DATALOGD_ERR_INFLUX_BUFFER_FULL',
  refused: 'DATALOGD_ERR_INFLUX_REFUSED',
  failed: 'DATALOGD_ERR_INFLUX_WRITE_FAILED',
  unsentAtClose: 'DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE',
};

const NO_SECRET = new Secret('');

/** A line's bytes in a request body: UTF-8 and its newline. */
const lineBytes = (line: string): number => utf8Bytes(line) + 1;

/**
 * The InfluxDB sink, for both server versions: records become points (one per record),
 * points become lines in the version's dialect, and lines go through the shared bounded,
 * retrying `BatchWriter` to the version's transport.
 */
export abstract class InfluxSink<O extends WriteSettings> extends DataSink {
  /**
   * A `*_env` option must name a variable that is set; checked with the rest of the graph,
   * so the daemon does not start, and the problem names the variable, never a value.
   */
  static validate(
    options: Readonly<Record<string, unknown>>,
    nodeName: string,
  ): Promise<DatalogdError[]> {
    const problems: DatalogdError[] = [];
    for (const [option, value] of Object.entries(options)) {
      if (!option.endsWith('_env') || typeof value !== 'string') continue;
      const resolved = resolveSecret(NO_SECRET, value);
      if (typeof resolved === 'string') problems.push(optionProblem(nodeName, option, resolved));
    }
    return Promise.resolve(problems);
  }

  readonly #version: InfluxVersion<O>;
  readonly #options: O;
  readonly #clock = new ReceiptClock();
  readonly #counts = this.counters('records_received');
  #writer: BatchWriter<string> | undefined;
  #target = '';
  #mapping: MappingOptions | undefined;
  #started = false;

  protected constructor(version: InfluxVersion<O>, options: O) {
    super();
    this.#version = version;
    this.#options = options;
    this.declareEvents(
      'DATALOGD_ERR_INFLUX_RECORD_SKIPPED',
      'DATALOGD_ERR_INFLUX_BAD_TIMESTAMP',
      'DATALOGD_ERR_INFLUX_NAME_ALTERED',
    );
    this.counters('points_written');
    this.declareEvents(
      'DATALOGD_ERR_INFLUX_BUFFER_FULL',
      'DATALOGD_ERR_INFLUX_REFUSED',
      'DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE',
      'DATALOGD_ERR_INFLUX_WRITE_FAILED',
    );
  }

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
    const dialect = this.#version.dialect;
    const counts = this.#counts;
    for (const item of items) {
      counts.records_received += 1;
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
        this.report(
          'DATALOGD_ERR_INFLUX_BAD_TIMESTAMP',
          "A record's timestamp is neither a Date nor ISO 8601 text; the receipt time was used",
        );
      }
      const { line, altered } = formatLine(result.point, dialect);
      if (altered > 0) {
        this.report(
          'DATALOGD_ERR_INFLUX_NAME_ALTERED',
          `A name, tag or field key holds a line break${dialect === '1.x' ? ' or ends with a backslash' : ''}, which line protocol cannot carry; it was written altered`,
          { count: altered },
        );
      }
      writer.add(line);
    }
    return undefined;
  }

  protected override gauges(): Record<string, number> {
    return {
      points_buffered: this.#writer?.buffered ?? 0,
      buffered_bytes: this.#writer?.bufferedBytes ?? 0,
    };
  }

  override pendingOutput(): PendingOutput {
    return { records: this.#writer?.buffered ?? 0, bytes: this.#writer?.bufferedBytes ?? 0 };
  }

  protected override async onClose(): Promise<void> {
    await this.#writer?.close();
  }

  #ensureReady(): { writer: BatchWriter<string>; mapping: MappingOptions } {
    if (this.#writer !== undefined && this.#mapping !== undefined) {
      return { writer: this.#writer, mapping: this.#mapping };
    }
    const o = this.#options;
    const version = this.#version;
    const { inline, envName } = version.secret(o);
    const secret = resolveSecret(inline, envName);
    if (typeof secret === 'string') {
      // `validate` reports this before the daemon constructs anything; this is for code
      // that builds the sink itself.
      throw optionProblem(this.nodeName, `${version.secretOption}_env`, secret);
    }
    const transport = version.transport(o, secret);
    const { measurement, runTag, runId } = version.mapping(o);
    this.#target = transport.target;
    this.#mapping = {
      measurement,
      runTag,
      runId: runId ?? defaultRunId(new Date()),
      fieldKey: o.field_key,
      fieldValue: o.field_value,
    };
    const counts = this.counters('points_written');
    this.#writer = new BatchWriter<string>({
      transport,
      report: this.reporter,
      events: WRITER_EVENTS,
      noun: 'point',
      sizeOf: lineBytes,
      written: (count) => {
        counts.points_written += count;
      },
      failed: (message) => {
        this.setHealth(false, message);
      },
      recovered: (failedForMs, stillBuffered) => {
        this.setHealth(true);
        this.log.info(
          `Writing to ${this.#target} again after ${Math.round(failedForMs / 1000)} s of failures; ${stillBuffered} point(s) still buffered.`,
        );
      },
      batchSize: o.batch_size,
      flushIntervalMs: o.flush_interval * 1000,
      bufferItems: o.buffer_points,
      bufferBytes: o.buffer_bytes,
      requestTimeoutMs: o.timeout * 1000,
      closeTimeoutMs: o.close_timeout * 1000,
      backoff: new Backoff({ minMs: o.retry_min * 1000, maxMs: o.retry_max * 1000 }),
    });
    return { writer: this.#writer, mapping: this.#mapping };
  }

  #skip(reason: string): void {
    this.report(
      'DATALOGD_ERR_INFLUX_RECORD_SKIPPED',
      `Skipped a record: ${reason} (values must be numbers, booleans or text)`,
      { key: reason },
    );
  }
}

function optionProblem(nodeName: string, option: string, problem: string): DatalogdError {
  return new DatalogdError(
    'DATALOGD_ERR_OPTION_TYPE',
    `node "${nodeName}": option "${option}" ${problem}`,
    {
      node: nodeName,
      option,
    },
  );
}

/** The one-line description of a sink, for listings and docs/plugins.md. */
export function describeSink(server: string, measurementOption: string, runTag: string): string {
  return `Writes each record as one point to ${server}: measurement \`${measurementOption}\`, tag \`${runTag}\`, one field per record (key from field_key, name, label, <type>_<id>, type), the other scalar keys as tags, time from \`timestamp\`. Points are batched and, while the server is down, kept in a bounded buffer and retried with backoff; see docs/influxdb.md.`;
}
