import { RUNTIME_EVENTS, type RuntimeCode } from './errors.js';
import type { Logger } from './log.js';
import { RateLimitedLog } from './rate-limit.js';

export interface ReportOptions {
  /** How many records (or whatever the counter counts) this one event stands for. */
  readonly count?: number;
  /**
   * Rate-limits this event separately from others of the same code (a second file, say).
   * Keys are bounded; do not put unbounded values such as peer addresses here.
   */
  readonly key?: string;
}

/**
 * The one path for runtime problems: counts `options.count` (default 1) under the code's
 * counter, logs `[code] message (N so far)` rate-limited, and returns the running count.
 */
export type ReportProblem = (code: RuntimeCode, message: string, options?: ReportOptions) => number;

/**
 * Counts and logs runtime events into a counter record. Every node has one (behind
 * `DataNode.report`); the daemon has its own for what belongs to no node (a fault nothing
 * caught, a node abandoned at the shutdown deadline, a reload refused).
 */
export class ProblemCounter {
  readonly #counters: Record<string, number>;
  readonly #logger: () => Logger;
  #limited: RateLimitedLog | undefined;

  /** `logger` is asked for lazily, so that a node renamed after construction logs its name. */
  constructor(counters: Record<string, number>, logger: () => Logger) {
    this.#counters = counters;
    this.#logger = logger;
  }

  /** Forgets the rate-limit state, whose logger names the node (after a rename). */
  resetLog(): void {
    this.#limited = undefined;
  }

  declare(...codes: readonly RuntimeCode[]): void {
    for (const code of codes) this.#counters[RUNTIME_EVENTS[code].counter] ??= 0;
  }

  readonly report: ReportProblem = (code, message, options) => {
    const spec = RUNTIME_EVENTS[code];
    const total = (this.#counters[spec.counter] ?? 0) + (options?.count ?? 1);
    this.#counters[spec.counter] = total;
    this.#limited ??= new RateLimitedLog(this.#logger());
    const key = options?.key === undefined ? code : `${code} ${options.key}`;
    this.#limited.log(spec.level, key, `[${code}] ${message} (${total} so far)`);
    return total;
  };

  /** Counts more of a problem already logged by `report`, without logging it again. */
  countRepeat(code: RuntimeCode, count = 1): number {
    const counter = RUNTIME_EVENTS[code].counter;
    const total = (this.#counters[counter] ?? 0) + count;
    this.#counters[counter] = total;
    return total;
  }
}
