import { getLogger } from '../core/log.js';
import type { PendingOutput } from '../core/node.js';
import { ProblemCounter, type ReportProblem } from '../core/problems.js';

/**
 * The daemon's own runtime events and counters, for what belongs to no node: a fault that
 * nothing caught, a node abandoned at the shutdown deadline, a reload refused. Logged as
 * `datalogd`, shown in the shutdown stats line as `datalogd: k=v ...`.
 */
export class DaemonProblems {
  readonly #counters: Record<string, number> = {};
  readonly #problems = new ProblemCounter(this.#counters, () => getLogger('datalogd'));
  readonly report: ReportProblem = this.#problems.report;

  /** Adds to a plain counter (not an event: nothing is logged). */
  add(counter: string, count = 1): void {
    this.#counters[counter] = (this.#counters[counter] ?? 0) + count;
  }

  countAbandoned(pending: PendingOutput): void {
    if (pending.records !== undefined) this.add('records_abandoned', pending.records);
    if (pending.bytes !== undefined) this.add('bytes_abandoned', pending.bytes);
  }

  stats(): Record<string, number> {
    return { ...this.#counters };
  }
}
