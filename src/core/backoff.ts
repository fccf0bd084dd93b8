/**
 * The one backoff policy for everything that reconnects or retries: socket clients, a
 * server's bind, serial ports, database writers. Exponential growth from `minMs` to
 * `maxMs`, with full jitter inside [minMs, ceiling] so that many clients do not retry in
 * step, and a reset once a connection has stayed up for `stableMs`.
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor?: number;
  /** A connection that lasted this long counts as healthy, and the next failure starts over. */
  readonly stableMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export class Backoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #stableMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  #attempt = 0;
  #upSince: number | undefined;

  constructor(options: BackoffOptions) {
    if (!(options.minMs >= 0) || !(options.maxMs >= options.minMs)) {
      throw new RangeError(`backoff needs 0 <= min <= max, got ${options.minMs}, ${options.maxMs}`);
    }
    this.#minMs = options.minMs;
    this.#maxMs = options.maxMs;
    this.#factor = options.factor ?? 2;
    this.#stableMs = options.stableMs ?? 10_000;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** How many failures in a row so far. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    this.#settleUptime();
    const ceiling = Math.min(this.#maxMs, this.#minMs * this.#factor ** this.#attempt);
    this.#attempt += 1;
    return this.#minMs + this.#random() * (ceiling - this.#minMs);
  }

  /** Call when a connection is established. */
  succeeded(): void {
    this.#upSince = this.#now();
  }

  reset(): void {
    this.#attempt = 0;
    this.#upSince = undefined;
  }

  #settleUptime(): void {
    if (this.#upSince === undefined) return;
    if (this.#now() - this.#upSince >= this.#stableMs) this.#attempt = 0;
    this.#upSince = undefined;
  }
}

/** Waits `ms`; resolves `false` at once if `signal` aborts, and leaves no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
