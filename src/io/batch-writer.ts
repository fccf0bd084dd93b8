import type { Backoff } from '../core/backoff.js';
import { BoundedQueue } from '../core/bounded-queue.js';
import { errorMessage, type RuntimeCode } from '../core/errors.js';
import type { ReportProblem } from '../core/node.js';

/** A batch never exceeds this many bytes unless one item alone does: below servers' limits. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Where batches go: an HTTP endpoint (InfluxDB lines), a database connection (rows). */
export interface BatchTransport<T> {
  /** For log lines: the server and database or bucket, never a credential. */
  readonly target: string;
  /**
   * Runs before the first write, and again after a write failed with `needsPrepare`
   * (1.x: CREATE DATABASE; a database: create the table). Rejects with a `WriteFailure`.
   */
  prepare?(signal: AbortSignal): Promise<void>;
  /** Writes one batch, in order; rejects with a `WriteFailure` (anything else is retried). */
  write(batch: readonly T[], signal: AbortSignal): Promise<void>;
  /** Releases sockets or connections; called once, when the writer is done. */
  close(): void;
}

/**
 * What a failed request means for the items in it:
 * - `unavailable`: the server could not be reached, timed out or is overloaded (5xx, 429):
 *   keep the items and retry;
 * - `denied`: the server answered no to this request (credentials, permissions, a database
 *   that does not exist yet), which can change without a restart: keep and retry, but a
 *   `prepare` step that is denied is skipped, since the writes may be allowed anyway;
 * - `refused`: the server read the items and will never take them (bad syntax, a type
 *   conflict, too large): drop and count them.
 */
export type FailureKind = 'unavailable' | 'denied' | 'refused';

export class WriteFailure extends Error {
  readonly kind: FailureKind;
  /** The transport must `prepare` again before the next write (1.x "database not found"). */
  readonly needsPrepare: boolean;
  /** The protocol's status (an HTTP status), when the server answered. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options: {
      readonly kind: FailureKind;
      readonly needsPrepare?: boolean;
      readonly status?: number;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WriteFailure';
    this.kind = options.kind;
    this.needsPrepare = options.needsPrepare ?? false;
    this.status = options.status;
  }

  /** Whether the items are kept for another try (everything but `refused`). */
  get retriable(): boolean {
    return this.kind !== 'refused';
  }
}

/**
 * Any error as a `WriteFailure`. Errors a transport did not classify (a reset socket, a
 * refused connection) are `unavailable`: the items are kept, never lost to a surprise.
 */
export function asWriteFailure(err: unknown): WriteFailure {
  if (err instanceof WriteFailure) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const text = errorMessage(err);
  const detail = typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
  return new WriteFailure(detail.trim() === '' ? 'request failed' : detail, {
    kind: 'unavailable',
    cause: err,
  });
}

/** The runtime codes a writer reports under; each owner has its own (and so its counters). */
export interface BatchWriterEvents {
  /** The buffer was full and the oldest items were dropped (or items came after close). */
  readonly bufferFull: RuntimeCode;
  /** The server refused a batch; its items are dropped. */
  readonly refused: RuntimeCode;
  /** A request failed; the items are kept and retried. Counts failed requests. */
  readonly failed: RuntimeCode;
  /** Items still unwritten when the close deadline passed. */
  readonly unsentAtClose: RuntimeCode;
}

export interface BatchWriterOptions<T> {
  readonly transport: BatchTransport<T>;
  /** The owning node's `reporter`: every loss and failure goes through it. */
  readonly report: ReportProblem;
  readonly events: BatchWriterEvents;
  /** What an item is called in messages ("point", "row"). */
  readonly noun: string;
  /** Real bytes of one item, for the byte limits. */
  readonly sizeOf: (item: T) => number;
  /** Called with the number of items each acknowledged batch held (the owner counts them). */
  readonly written: (count: number) => void;
  /** Called when a write succeeds after failures, with how long they lasted. */
  readonly recovered?: (failedForMs: number, stillBuffered: number) => void;
  /** Called when a request fails and its items are kept for retry (the owner's health). */
  readonly failed?: (message: string) => void;
  /** A batch is sent as soon as this many items wait. */
  readonly batchSize: number;
  /** An item waits at most this long for its batch to fill. */
  readonly flushIntervalMs: number;
  readonly bufferItems: number;
  readonly bufferBytes: number;
  readonly maxBatchBytes?: number;
  /** A request that has not completed after this long is abandoned and retried. */
  readonly requestTimeoutMs: number;
  /** `close()` tries to write what is buffered for at most this long. */
  readonly closeTimeoutMs: number;
  readonly backoff: Backoff;
  readonly now?: () => number;
}

/**
 * The one write path of the database sinks: items wait in a bounded buffer, go out in
 * batches by size or age, and when the server is down or failing they stay buffered and
 * are retried with the shared backoff, oldest first. When the buffer is full the oldest
 * items are dropped and reported. `close()` writes what it can within a time limit, reports
 * what is left, and leaves no timer or socket behind.
 *
 * Everything runs in one loop, so there is never more than one request in flight and the
 * order of items is kept across failures.
 */
export class BatchWriter<T> {
  readonly #transport: BatchTransport<T>;
  readonly #report: ReportProblem;
  readonly #events: BatchWriterEvents;
  readonly #noun: string;
  readonly #written: (count: number) => void;
  readonly #recovered: ((failedForMs: number, stillBuffered: number) => void) | undefined;
  readonly #onFailed: ((message: string) => void) | undefined;
  readonly #buffer: BoundedQueue<T>;
  readonly #batchSize: number;
  readonly #maxBatchBytes: number;
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
  #prepared: boolean;
  #failingSince: number | undefined;

  constructor(options: BatchWriterOptions<T>) {
    this.#transport = options.transport;
    this.#report = options.report;
    this.#events = options.events;
    this.#noun = options.noun;
    this.#written = options.written;
    this.#recovered = options.recovered;
    this.#onFailed = options.failed;
    this.#buffer = new BoundedQueue<T>(
      { maxItems: options.bufferItems, maxBytes: options.bufferBytes },
      options.sizeOf,
    );
    this.#batchSize = options.batchSize;
    this.#maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
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

  /** Items waiting now (not counting a batch in flight). */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Bytes of the items waiting now. */
  get bufferedBytes(): number {
    return this.#buffer.bytes;
  }

  /** Starts the write loop in the background; returns at once. */
  start(): void {
    if (this.#closing !== undefined) return;
    this.#running ??= this.#run();
  }

  /** Queues one item. Never blocks and never throws. */
  add(item: T): void {
    if (this.#closing !== undefined) {
      this.#report(this.#events.bufferFull, `Dropped a ${this.#noun} that arrived after close`, {
        key: 'closed',
      });
      return;
    }
    const wasEmpty = this.#buffer.length === 0;
    const dropped = this.#buffer.push(item);
    if (dropped > 0) this.#overflowed(dropped);
    if (wasEmpty) this.#oldestAt = this.#now();
    if (wasEmpty || this.#buffer.length >= this.#batchSize) this.#wake?.();
  }

  /**
   * Writes what is buffered, retrying with backoff, for at most the close timeout; what is
   * still unwritten then is reported. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
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
      this.#report(
        this.#events.unsentAtClose,
        `${unsent} ${this.#noun}(s) could not be written to ${this.#transport.target} before closing (close timeout ${this.#closeTimeoutMs / 1000} s)`,
        { count: unsent },
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
      const failure = asWriteFailure(err);
      if (failure.kind !== 'unavailable') {
        // The database may exist already and the user may only lack the right to create
        // it; the writes will tell.
        this.#prepared = true;
        this.#report(
          this.#events.failed,
          `${failure.message}; writing to ${this.#transport.target} anyway`,
          { key: 'prepare' },
        );
        return;
      }
      this.#failed(failure.message);
      await this.#pause(this.#backoff.next());
    }
  }

  async #sendBatch(): Promise<void> {
    const batchSince = this.#oldestAt;
    const batch = this.#buffer.take(this.#batchSize, this.#maxBatchBytes);
    if (this.#buffer.length > 0) this.#oldestAt = this.#now();
    try {
      await this.#withTimeout((signal) => this.#transport.write(batch, signal));
    } catch (err) {
      if (this.#stop.signal.aborted) {
        this.#buffer.unshift(batch);
        this.#oldestAt = batchSince;
        return;
      }
      const failure = asWriteFailure(err);
      if (!failure.retriable) {
        this.#report(
          this.#events.refused,
          `${this.#transport.target} refused ${batch.length} ${this.#noun}(s): ${failure.message}; they are not retried`,
          { count: batch.length },
        );
        return;
      }
      const dropped = this.#buffer.unshift(batch);
      // The batch is as old as it was: retry it after the pause, not a new flush interval.
      this.#oldestAt = batchSince;
      if (dropped > 0) this.#overflowed(dropped);
      if (failure.needsPrepare) this.#prepared = false;
      this.#failed(failure.message);
      await this.#pause(this.#backoff.next());
      return;
    }
    this.#written(batch.length);
    this.#backoff.reset();
    if (this.#failingSince !== undefined) {
      const failedFor = this.#now() - this.#failingSince;
      this.#failingSince = undefined;
      this.#recovered?.(failedFor, this.#buffer.length);
    }
  }

  /** Runs a request with its own deadline; the close deadline cancels it too. */
  async #withTimeout<R>(request: (signal: AbortSignal) => Promise<R>): Promise<R> {
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
        throw new WriteFailure(`no reply within ${this.#requestTimeoutMs / 1000} s`, {
          kind: 'unavailable',
          cause: err,
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.#stop.signal.removeEventListener('abort', abort);
    }
  }

  #failed(message: string): void {
    this.#failingSince ??= this.#now();
    this.#onFailed?.(`cannot write to ${this.#transport.target}: ${message}`);
    this.#report(
      this.#events.failed,
      `Cannot write to ${this.#transport.target}: ${message}; ${this.#buffer.length} ${this.#noun}(s) kept for retry`,
    );
  }

  #overflowed(dropped: number): void {
    this.#report(
      this.#events.bufferFull,
      `The write buffer is full: dropped the ${dropped} oldest ${this.#noun}(s)`,
      { count: dropped },
    );
  }

  /** Waits for new items (`add`), `ms` if given, or the close. */
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
