import type { Logger } from './log.js';

export interface RateLimitOptions {
  /** Messages let through per window for one key. */
  readonly burst?: number;
  /** Window length in milliseconds. */
  readonly windowMs?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface KeyState {
  windowStart: number;
  emitted: number;
  suppressed: number;
}

/**
 * Lets the first `burst` messages of each key through per window, then stays quiet and
 * reports how many it held back when the next window opens. Used wherever a fault can
 * repeat once per record (a throwing sink, a hostile peer) so that logs stay readable.
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, KeyState>();

  constructor(logger: Logger, options: RateLimitOptions = {}) {
    this.#logger = logger;
    this.#burst = options.burst ?? 5;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  warning(key: string, message: string): void {
    this.#emit('warning', key, message);
  }

  error(key: string, message: string): void {
    this.#emit('error', key, message);
  }

  #emit(level: 'warning' | 'error', key: string, message: string): void {
    const now = this.#now();
    let entry = this.#keys.get(key);
    if (entry === undefined) {
      entry = { windowStart: now, emitted: 0, suppressed: 0 };
      this.#keys.set(key, entry);
    } else if (now - entry.windowStart >= this.#windowMs) {
      if (entry.suppressed > 0) {
        this.#logger.log(
          level,
          `${entry.suppressed} more like this were suppressed in the last ${Math.round((now - entry.windowStart) / 1000)} s: ${key}`,
        );
      }
      entry.windowStart = now;
      entry.emitted = 0;
      entry.suppressed = 0;
    }
    if (entry.emitted < this.#burst) {
      entry.emitted += 1;
      this.#logger.log(level, message);
    } else {
      entry.suppressed += 1;
    }
  }
}
