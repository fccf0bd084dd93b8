import type { Backoff } from '../../../core/backoff.js';
import type { Logger } from '../../../core/log.js';
import { RateLimitedLog } from '../../../core/rate-limit.js';
import { LineBuffer } from './buffer.js';
import { classifyFailure, type LineTransport } from './transport.js';

/** A batch never exceeds this many bytes, well below the servers' request size limits. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface BatchWriterOptions {
  readonly transport: LineTransport;
  readonly log: Logger;
  /** A batch is sent as soon as this many lines wait. */
  readonly batchSize: number;
  /** A line waits at most this long for its batch to fill. */
  readonly flushIntervalMs: number;
  readonly bufferLines: number;
  readonly bufferBytes: number;
  /** A request that has not completed after this long is abandoned and retried. */
  readonly requestTimeoutMs: number;
  /** `close()` tries to write what is buffered for at most this long. */
  readonly closeTimeoutMs: number;
  readonly backoff: Backoff;
  readonly now?: () => number;
}

export interface WriterStats {
  readonly points_written: number;
  readonly points_buffered: number;
  readonly buffered_bytes: number;
  readonly points_dropped: number;
  readonly points_rejected: number;
  readonly points_unsent_at_close: number;
  readonly write_failures: number;
}

/**
 * The one write path of both InfluxDB sinks: lines wait in a bounded buffer, go out in
 * batches by size or age, and when the server is down or failing they stay buffered and
 * are retried with the shared backoff, oldest first. When the buffer is full the oldest
 * lines are dropped and counted. `close()` writes what it can within a time limit and
 * leaves no timer or socket behind.
 *
 * Everything runs in one loop, so there is never more than one request in flight and the
 * order of lines is kept across failures.
 */
export class BatchWriter {
  readonly #transport: LineTransport;
  readonly #log: Logger;
  readonly #rateLimited: RateLimitedLog;
  readonly #buffer: LineBuffer;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #requestTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  /** Aborted when the close deadline passes: cuts every wait and the request in flight. */
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #cutPause: (() => void) | undefined;
  #oldestAt = 0;
  #prepared = false;
  #failingSince: number | undefined;
  #written = 0;
  #dropped = 0;
  #rejected = 0;
  #unsentAtClose = 0;
  #failures = 0;

  constructor(options: BatchWriterOptions) {
    this.#transport = options.transport;
    this.#log = options.log;
    this.#rateLimited = new RateLimitedLog(options.log);
    this.#buffer = new LineBuffer({ maxLines: options.bufferLines, maxBytes: options.bufferBytes });
    this.#batchSize = options.batchSize;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.#backoff = options.backoff;
    this.#now = options.now ?? Date.now;
    this.#prepared = options.transport.prepare === undefined;
    this.#stop.signal.addEventListener('abort', () => {
      this.#wake?.();
      this.#cutPause?.();
    });
  }

  /** Starts the write loop in the background; returns at once. */
  start(): void {
    if (this.#closing !== undefined) return;
    this.#running ??= this.#run();
  }

  /** Queues one line (without its newline). Never blocks and never throws. */
  add(line: string): void {
    if (this.#closing !== undefined) {
      this.#dropped += 1;
      return;
    }
    const wasEmpty = this.#buffer.length === 0;
    const dropped = this.#buffer.push(line);
    if (dropped > 0) this.#overflowed(dropped);
    if (wasEmpty) this.#oldestAt = this.#now();
    if (wasEmpty || this.#buffer.length >= this.#batchSize) this.#wake?.();
  }

  /**
   * Writes what is buffered, retrying with backoff, for at most the close timeout; what is
   * still unwritten then is counted and reported. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  stats(): WriterStats {
    return {
      points_written: this.#written,
      points_buffered: this.#buffer.length,
      buffered_bytes: this.#buffer.bytes,
      points_dropped: this.#dropped,
      points_rejected: this.#rejected,
      points_unsent_at_close: this.#unsentAtClose,
      write_failures: this.#failures,
    };
  }

  async #finish(): Promise<void> {
    const deadline = setTimeout(() => {
      this.#stop.abort();
    }, this.#closeTimeoutMs);
    try {
      if (this.#running !== undefined) {
        // Retry now rather than after the rest of a backoff pause.
        this.#cutPause?.();
        this.#wake?.();
        await this.#running;
      }
    } finally {
      clearTimeout(deadline);
      this.#stop.abort();
      this.#transport.close();
    }
    const unsent = this.#buffer.clear();
    if (unsent > 0) {
      this.#unsentAtClose += unsent;
      this.#log.warning(
        `${unsent} point(s) could not be written to ${this.#transport.target} before closing (close timeout ${this.#closeTimeoutMs / 1000} s).`,
      );
    }
  }

  async #run(): Promise<void> {
    const stopped = this.#stop.signal;
    while (!stopped.aborted) {
      if (!this.#prepared) {
        await this.#prepare();
        continue;
      }
      const closing = this.#closing !== undefined;
      if (this.#buffer.length === 0) {
        if (closing) return;
        await this.#idle(undefined);
        continue;
      }
      if (!closing && this.#buffer.length < this.#batchSize) {
        const wait = this.#oldestAt + this.#flushIntervalMs - this.#now();
        if (wait > 0) {
          await this.#idle(wait);
          continue;
        }
      }
      await this.#sendBatch();
    }
  }

  async #prepare(): Promise<void> {
    const prepare = this.#transport.prepare?.bind(this.#transport);
    if (prepare === undefined) {
      this.#prepared = true;
      return;
    }
    try {
      await this.#withTimeout((signal) => prepare(signal));
      this.#prepared = true;
    } catch (err) {
      if (this.#stop.signal.aborted) return;
      const failure = classifyFailure(err);
      if (!failure.retriable || isRefusal(failure.status)) {
        // The database may exist already and the user may only lack the right to create it;
        // the writes will tell.
        this.#prepared = true;
        this.#log.warning(`${failure.message}; writing to ${this.#transport.target} anyway.`);
        return;
      }
      this.#failed(failure.message);
      await this.#pause(this.#backoff.next());
    }
  }

  async #sendBatch(): Promise<void> {
    const batch = this.#buffer.take(this.#batchSize, MAX_BATCH_BYTES);
    if (this.#buffer.length > 0) this.#oldestAt = this.#now();
    try {
      await this.#withTimeout((signal) => this.#transport.write(batch.join('\n'), signal));
    } catch (err) {
      if (this.#stop.signal.aborted) {
        this.#buffer.unshift(batch);
        return;
      }
      const failure = classifyFailure(err);
      if (!failure.retriable) {
        this.#rejected += batch.length;
        this.#rateLimited.error(
          'rejected',
          `${this.#transport.target} refused ${batch.length} point(s): ${failure.message} (${this.#rejected} refused so far; they are not retried).`,
        );
        return;
      }
      const dropped = this.#buffer.unshift(batch);
      if (dropped > 0) this.#overflowed(dropped);
      if (failure.needsPrepare) this.#prepared = false;
      this.#failed(failure.message);
      await this.#pause(this.#backoff.next());
      return;
    }
    this.#written += batch.length;
    this.#backoff.reset();
    if (this.#failingSince !== undefined) {
      const seconds = Math.round((this.#now() - this.#failingSince) / 1000);
      this.#failingSince = undefined;
      this.#log.info(
        `Writing to ${this.#transport.target} again after ${seconds} s of failures; ${this.#buffer.length} point(s) still buffered.`,
      );
    }
  }

  /** Runs a request with its own deadline; the close deadline cancels it too. */
  async #withTimeout<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = (): void => {
      controller.abort();
    };
    const timer = setTimeout(abort, this.#requestTimeoutMs);
    this.#stop.signal.addEventListener('abort', abort);
    try {
      return await request(controller.signal);
    } catch (err) {
      if (controller.signal.aborted && !this.#stop.signal.aborted) {
        throw classifyFailure(
          new Error(`no reply within ${this.#requestTimeoutMs / 1000} s`, { cause: err }),
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.#stop.signal.removeEventListener('abort', abort);
    }
  }

  #failed(message: string): void {
    this.#failures += 1;
    const first = this.#failingSince === undefined;
    this.#failingSince ??= this.#now();
    const text = `Cannot write to ${this.#transport.target}: ${message}; ${this.#buffer.length} point(s) kept for retry (${this.#failures} failed request(s) so far).`;
    if (first) this.#log.warning(text);
    else this.#rateLimited.warning('failing', text);
  }

  #overflowed(dropped: number): void {
    this.#dropped += dropped;
    this.#rateLimited.warning(
      'overflow',
      `The write buffer is full: dropped the ${dropped} oldest point(s) (${this.#dropped} dropped so far).`,
    );
  }

  /** Waits for new lines (`add`), `ms` if given, or the close. */
  #idle(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      if (ms !== undefined) timer = setTimeout(done, ms);
      if (this.#stop.signal.aborted) done();
    });
  }

  /** A backoff pause: only the close (to retry at once) or its deadline cuts it short. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#cutPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#cutPause = done;
      if (this.#stop.signal.aborted) done();
    });
  }
}

/** A 4xx answer other than "try later": the server is up and said no. */
function isRefusal(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![408, 425, 429].includes(status);
}
