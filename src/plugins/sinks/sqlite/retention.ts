import { errorMessage } from '../../../core/errors.js';
import type { ReportProblem } from '../../../core/node.js';

/** Rows deleted per statement: each delete holds the write lock for a moment only. */
export const RETENTION_BATCH = 1000;
/** Checked at most this often (and ten times per `keep` for a short one). */
const MAX_CHECK_MS = 60_000;
const MIN_CHECK_MS = 1000;

export interface RetentionOptions {
  readonly keepSeconds: number;
  /** Deletes at most `limit` rows older than `cutoffUs`; undefined when the store is not open. */
  readonly deleteOlder: (cutoffUs: number, limit: number) => number | undefined;
  readonly report: ReportProblem;
  readonly target: string;
  /** Called with the rows each statement deleted. */
  readonly deleted: (count: number) => void;
  readonly now?: () => number;
}

/**
 * Deletes rows older than `keep`, a small batch at a time with the event loop free between
 * batches, so that records arriving meanwhile are written between the deletes rather than
 * after them. A failure (a lock) is reported and the rest waits for the next check.
 */
export class Retention {
  readonly #options: RetentionOptions;
  readonly #now: () => number;
  readonly #checkMs: number;
  #timer: NodeJS.Timeout | undefined;
  #next: NodeJS.Immediate | undefined;
  #stopped = false;

  constructor(options: RetentionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#checkMs = Math.min(
      MAX_CHECK_MS,
      Math.max(MIN_CHECK_MS, (options.keepSeconds * 1000) / 10),
    );
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#sweep();
    }, this.#checkMs);
  }

  /** One sweep now, then batch by batch until nothing old is left (for tests and start-up). */
  sweep(): void {
    this.#sweep();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#next !== undefined) clearImmediate(this.#next);
    this.#next = undefined;
  }

  #sweep(): void {
    if (this.#stopped || this.#next !== undefined) return;
    const cutoffUs = (this.#now() - this.#options.keepSeconds * 1000) * 1000;
    this.#batch(cutoffUs);
  }

  #batch(cutoffUs: number): void {
    this.#next = undefined;
    if (this.#stopped) return;
    let count: number | undefined;
    try {
      count = this.#options.deleteOlder(cutoffUs, RETENTION_BATCH);
    } catch (err) {
      this.#options.report(
        'DATALOGD_ERR_STORE_RETENTION_FAILED',
        `Cannot delete old rows from ${this.#options.target}: ${errorMessage(err)}; tried again in ${this.#checkMs / 1000} s`,
      );
      return;
    }
    if (count === undefined) return;
    if (count > 0) this.#options.deleted(count);
    if (count >= RETENTION_BATCH) {
      this.#next = setImmediate(() => {
        this.#batch(cutoffUs);
      });
    }
  }
}
