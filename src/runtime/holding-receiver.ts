import { BoundedQueue } from '../core/bounded-queue.js';
import type { Data, DataReceiver } from '../core/node.js';
import type { ReportProblem } from '../core/problems.js';

/** Receipts held for one restarting node at most; beyond it the oldest are dropped, counted. */
export const RELOAD_HOLD_LIMIT = 10_000;

/**
 * Stands in for a node while a reload restarts it: the nodes sending to it hand their data
 * here while the old instance flushes and closes and the new one starts, and the new one
 * gets it all, in order, before anything newer. So a restart loses nothing either, within
 * the bound.
 */
export class HoldingReceiver implements DataReceiver {
  readonly name: string;
  readonly #held = new BoundedQueue<Data>(
    { maxItems: RELOAD_HOLD_LIMIT, maxBytes: Infinity },
    () => 0,
  );
  readonly #report: ReportProblem;

  constructor(name: string, report: ReportProblem) {
    this.name = name;
    this.#report = report;
  }

  get length(): number {
    return this.#held.length;
  }

  receive(data: Data): undefined {
    const dropped = this.#held.push(data);
    if (dropped > 0) {
      this.#report(
        'DATALOGD_ERR_RELOAD_HELD_DROPPED',
        `node "${this.name}" is restarting; more than ${RELOAD_HOLD_LIMIT} receipts arrived for it meanwhile, the oldest were dropped`,
        { count: dropped, key: this.name },
      );
    }
    return undefined;
  }

  /** Hands everything held to the new instance, oldest first. */
  deliverTo(node: DataReceiver, onError: (err: unknown) => void): void {
    for (const data of this.#held.drain()) {
      try {
        const result = node.receive(data);
        if (result instanceof Promise) result.catch(onError);
      } catch (err) {
        onError(err);
      }
    }
  }

  /** The new instance did not start: what was held for it is lost, and counted. */
  discard(why: string): void {
    const count = this.#held.clear();
    if (count === 0) return;
    this.#report(
      'DATALOGD_ERR_RELOAD_HELD_DROPPED',
      `node "${this.name}" ${why}; the ${count} receipts held for it during the reload were dropped`,
      { count, key: this.name },
    );
  }
}
