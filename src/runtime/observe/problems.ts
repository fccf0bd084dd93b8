/**
 * The runtime-problem path of the daemon's own observers (the metrics, health and tap
 * routes), which are no graph node: counted by code and logged rate-limited, the way
 * `DataNode.report` does it, so that the web server's refusals and a slow watcher's misses
 * are told and published like any node's.
 */
import { RUNTIME_EVENTS, type RuntimeCode } from '../../core/errors.js';
import { getLogger } from '../../core/log.js';
import type { ReportOptions, ReportProblem } from '../../core/node.js';
import { RateLimitedLog } from '../../core/rate-limit.js';

export class ProblemCounter {
  readonly #counts = new Map<RuntimeCode, number>();
  readonly #log: RateLimitedLog;

  constructor(loggerName: string) {
    this.#log = new RateLimitedLog(getLogger(loggerName));
  }

  readonly report: ReportProblem = (
    code: RuntimeCode,
    message: string,
    options?: ReportOptions,
  ): number => {
    const total = (this.#counts.get(code) ?? 0) + (options?.count ?? 1);
    this.#counts.set(code, total);
    const key = options?.key === undefined ? code : `${code} ${options.key}`;
    this.#log.log(RUNTIME_EVENTS[code].level, key, `[${code}] ${message} (${total} so far)`);
    return total;
  };

  /** Every code counted so far, with its total. */
  counts(): ReadonlyMap<RuntimeCode, number> {
    return this.#counts;
  }
}
