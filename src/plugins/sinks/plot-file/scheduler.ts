import { Backoff } from '../../../core/backoff.js';

/** Draws one job; resolves false when it failed (the failure is already reported). */
export type DrawJob<T> = (job: T) => Promise<boolean>;

export interface RedrawOptions {
  /** Least time from the start of one draw to the start of the next. */
  readonly minIntervalMs: number;
  /** Delays after failures in a row; the next attempt waits at least the interval too. */
  readonly retry?: Backoff;
}

/** After a failure, retries start this far apart and grow to the maximum. */
export const RETRY_MIN_MS = 1000;
export const RETRY_MAX_MS = 30_000;

/**
 * Redraws at most once per interval, never on the caller's stack: `offer` only stores the
 * job. One job is pending at most (a newer one replaces it) and one is drawing at most; the
 * latest job is always drawn in the end, and a failed one is tried again after a backoff
 * unless a newer one has come.
 */
export class RedrawScheduler<T> {
  readonly #draw: DrawJob<T>;
  readonly #intervalMs: number;
  readonly #retry: Backoff;
  #pending: { job: T } | undefined;
  #drawing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastStart = -Infinity;
  #retryDelayMs = 0;
  #closed = false;

  constructor(draw: DrawJob<T>, options: RedrawOptions) {
    this.#draw = draw;
    this.#intervalMs = options.minIntervalMs;
    this.#retry = options.retry ?? new Backoff({ minMs: RETRY_MIN_MS, maxMs: RETRY_MAX_MS });
  }

  /** Whether a job waits to be drawn. */
  get hasPending(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Stores `job` as the next to draw: 'queued', or 'replaced' when an older job had not been
   * drawn yet, or 'refused' once closed.
   */
  offer(job: T): 'queued' | 'replaced' | 'refused' {
    if (this.#closed) return 'refused';
    const replaced = this.#pending !== undefined;
    this.#pending = { job };
    this.#schedule();
    return replaced ? 'replaced' : 'queued';
  }

  /** Draws what is pending now, whatever the interval, and resolves when drawing is done. */
  async flush(): Promise<void> {
    while (this.#drawing !== undefined) await this.#drawing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending !== undefined) await this.#run();
  }

  /** Draws the latest job and stops; later offers are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#drawing !== undefined || this.#timer !== undefined || this.#pending === undefined) {
      return;
    }
    if (this.#closed) return;
    const wait = Math.max(
      0,
      this.#lastStart + Math.max(this.#intervalMs, this.#retryDelayMs) - Date.now(),
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, wait);
  }

  #run(): Promise<void> {
    if (this.#drawing !== undefined) return this.#drawing;
    const pending = this.#pending;
    if (pending === undefined) return Promise.resolve();
    this.#pending = undefined;
    this.#lastStart = Date.now();
    const drawing = this.#attempt(pending.job).finally(() => {
      this.#drawing = undefined;
      this.#schedule();
    });
    this.#drawing = drawing;
    return drawing;
  }

  async #attempt(job: T): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.#draw(job);
    } catch {
      ok = false;
    }
    if (ok) {
      this.#retry.reset();
      this.#retryDelayMs = 0;
      return;
    }
    this.#retryDelayMs = this.#retry.next();
    // A newer job replaces the failed one; otherwise the failed one is the latest data.
    this.#pending ??= { job };
  }
}
