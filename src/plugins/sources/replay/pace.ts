import { sleep } from '../../../core/backoff.js';
import { MAX_TIMER_SECONDS } from '../../options.js';

export interface PacerClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<boolean>;
}

const REAL_CLOCK: PacerClock = { now: Date.now, sleep };
const MAX_WAIT_MS = MAX_TIMER_SECONDS * 1000;

/**
 * The recorded pace, scaled by `speed`: the first receipt goes at once, each later one when
 * as much time (divided by `speed`) has passed since the first as passed between them when
 * they were recorded. A receipt recorded earlier than the one before it goes at once.
 * Late receipts (a slow graph) are not hurried to catch up beyond going at once.
 */
export class Pacer {
  readonly #speed: number;
  readonly #clock: PacerClock;
  #firstUs: number | undefined;
  #startMs = 0;

  constructor(speed: number, clock: PacerClock = REAL_CLOCK) {
    this.#speed = speed;
    this.#clock = clock;
  }

  /** Waits until the receipt recorded at `timeUs` is due; false when `signal` aborted. */
  async wait(timeUs: number, signal: AbortSignal): Promise<boolean> {
    if (this.#firstUs === undefined) {
      this.#firstUs = timeUs;
      this.#startMs = this.#clock.now();
      return !signal.aborted;
    }
    const dueMs = this.#startMs + (timeUs - this.#firstUs) / 1000 / this.#speed;
    for (;;) {
      if (signal.aborted) return false;
      const waitMs = dueMs - this.#clock.now();
      if (waitMs <= 0) return true;
      if (!(await this.#clock.sleep(Math.min(waitMs, MAX_WAIT_MS), signal))) return false;
    }
  }
}
