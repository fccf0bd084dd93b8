import type { Logger, LogLevel } from './log.js';

export interface RateLimitOptions {
  /** Messages let through per window for one key. */
  readonly burst?: number;
  /** Window length in milliseconds. */
  readonly windowMs?: number;
  /**
   * Keys remembered at most. The oldest window is forgotten first (after its suppressed
   * count is reported), so that keys which name departed peers cannot pile up.
   */
  readonly maxKeys?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface KeyState {
  windowStart: number;
  emitted: number;
  suppressed: number;
  level: Exclude<LogLevel, 'silent'>;
}

/** Enough for every code a node reports, with room for a few per-peer keys. */
const DEFAULT_MAX_KEYS = 256;

/**
 * Lets the first `burst` messages of each key through per window, then stays quiet and
 * reports how many it held back when the next window opens (or when the key is forgotten).
 * Used wherever a fault can repeat once per record (a throwing sink, a hostile peer) so
 * that logs stay readable; its memory is bounded by `maxKeys`.
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** In insertion order, which is also window-start order: a new window re-inserts its key. */
  readonly #keys = new Map<string, KeyState>();

  constructor(logger: Logger, options: RateLimitOptions = {}) {
    this.#logger = logger;
    this.#burst = options.burst ?? 5;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
    this.#now = options.now ?? Date.now;
  }

  /** How many keys are remembered now. */
  get size(): number {
    return this.#keys.size;
  }

  warning(key: string, message: string): void {
    this.log('warning', key, message);
  }

  error(key: string, message: string): void {
    this.log('error', key, message);
  }

  /** Logs `message` at `level` unless `key` has used up its burst in the current window. */
  log(level: Exclude<LogLevel, 'silent'>, key: string, message: string): void {
    const now = this.#now();
    let entry = this.#keys.get(key);
    if (entry !== undefined && now - entry.windowStart >= this.#windowMs) {
      this.#keys.delete(key);
      this.#reportSuppressed(key, entry, now);
      entry = undefined;
    }
    if (entry === undefined) {
      this.#evictFor(now);
      entry = { windowStart: now, emitted: 0, suppressed: 0, level };
      this.#keys.set(key, entry);
    }
    if (entry.emitted < this.#burst) {
      entry.emitted += 1;
      this.#logger.log(level, message);
    } else {
      entry.suppressed += 1;
    }
  }

  #evictFor(now: number): void {
    while (this.#keys.size >= this.#maxKeys) {
      const oldest = this.#keys.entries().next();
      if (oldest.done === true) return;
      const [key, entry] = oldest.value;
      this.#keys.delete(key);
      this.#reportSuppressed(key, entry, now);
    }
  }

  #reportSuppressed(key: string, entry: KeyState, now: number): void {
    if (entry.suppressed === 0) return;
    this.#logger.log(
      entry.level,
      `${entry.suppressed} more like this were suppressed in the last ${Math.round((now - entry.windowStart) / 1000)} s: ${key}`,
    );
  }
}
