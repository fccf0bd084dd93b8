import { errorMessage } from '../../../core/errors.js';
import { isRecord } from '../../../python/records.js';
import { FaultTable, rangeVerdict, watchdogRecord } from './faults.js';
import type { Rule } from './rules.js';
import { checkUpdateAges, watchdogIntervalSeconds } from './watchdog.js';

/**
 * Reports an expression that failed on a reading, through the node's runtime-problem path
 * (which counts it): a rate-limit key bounded by the rules, and the message.
 */
export type EvalErrorReporter = (key: string, message: string) => void;

/**
 * The work of SensorIdentifierDataFilter once its rules are loaded: matching, updating,
 * evaluating, and the fault bookkeeping. Loaded with the rules, so that the plugin module
 * stays small for graphs that do not use it.
 */
export class Identifier {
  readonly #rules: readonly Rule[];
  readonly #onEvalError: EvalErrorReporter;
  readonly #faults = new FaultTable();
  readonly #lastSeen = new Map<number, Date>();

  constructor(rules: readonly Rule[], onEvalError: EvalErrorReporter) {
    this.#rules = rules;
    this.#onEvalError = onEvalError;
  }

  /** Seconds between watchdog looks, or undefined when no rule has a critical interval. */
  get watchdogIntervalSeconds(): number | undefined {
    return watchdogIntervalSeconds(this.#rules);
  }

  get faultCount(): number {
    return this.#faults.size;
  }

  /**
   * Identifies the records of one receipt, replacing each matched record in `items` (a list
   * the caller owns) by an updated copy. Returns whether the fault table changed.
   */
  identify(items: unknown[], timestamp: Date): boolean {
    let faultsChanged = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isRecord(item)) continue;
      let record: Record<string, unknown> | undefined;
      for (const rule of this.#rules) {
        // Later rules see what earlier ones set, as in Python, where the record is updated in place.
        const current = record ?? item;
        if (!rule.selector.matches(current)) continue;
        record = this.#apply(rule, current, timestamp);
        faultsChanged = this.#updateFaults(rule, record) || faultsChanged;
      }
      if (record !== undefined) items[i] = record;
    }
    return faultsChanged;
  }

  /** The watchdog's look at the update ages, at time `now` (ms since the epoch). */
  checkAges(now: number): void {
    checkUpdateAges(this.#rules, this.#lastSeen, this.#faults, now);
  }

  watchdogRecord(): Record<string, unknown> {
    return watchdogRecord(this.#faults);
  }

  #apply(
    rule: Rule,
    current: Readonly<Record<string, unknown>>,
    timestamp: Date,
  ): Record<string, unknown> {
    // A deep copy of the update: records leave this node, the rule must not change with them.
    const record: Record<string, unknown> = { ...current, ...structuredClone(rule.update) };
    const critical = rule.critical;
    if (critical !== undefined) {
      if (Object.hasOwn(critical, 'range')) record['critical_range'] = critical['range'];
      if (Object.hasOwn(critical, 'interval')) record['critical_interval'] = critical['interval'];
    }
    record['timestamp'] = timestamp;
    this.#lastSeen.set(rule.index, timestamp);
    for (const { field, expression } of rule.evals) {
      try {
        record[field] = expression.evaluate(record);
      } catch (err) {
        this.#onEvalError(
          `eval ${rule.index} ${field}`,
          `Error during eval of "${field} = ${expression.source}": ${errorMessage(err)}`,
        );
      }
    }
    return record;
  }

  /** Python datalogd's fault bookkeeping for one matched reading; true when it changed. */
  #updateFaults(rule: Rule, record: Readonly<Record<string, unknown>>): boolean {
    const id = rule.identifier;
    let changed = this.#faults.seen(id);
    if (rule.criticalRange !== undefined && Object.hasOwn(record, 'value')) {
      const verdict = rangeVerdict(record['value'], rule.criticalRange);
      if (verdict !== 'unknown') {
        changed = this.#faults.setOutOfRange(id, verdict === 'out') || changed;
      }
    }
    this.#faults.prune(id);
    return changed;
  }
}
