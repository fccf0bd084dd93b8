import { NOT_PRESENT, noUpdatesSince, type FaultTable } from './faults.js';
import type { Rule } from './rules.js';

/** Python datalogd calls a sensor late once 1.1 intervals have passed without an update. */
const LATE_FACTOR = 1.1;

/**
 * How often the watchdog looks: the shortest `update.interval` of the rules whose interval
 * is critical, or undefined when no rule asks for one (then there is no watchdog).
 */
export function watchdogIntervalSeconds(rules: readonly Rule[]): number | undefined {
  let shortest: number | undefined;
  for (const rule of rules) {
    const interval = rule.watchInterval;
    if (interval !== undefined && (shortest === undefined || interval < shortest)) {
      shortest = interval;
    }
  }
  return shortest;
}

/**
 * One watchdog look at every rule with a critical interval: never seen is `not present`,
 * silent for more than 1.1 intervals is `no updates since …`, otherwise the presence
 * faults clear (an `out of range` fault stays).
 */
export function checkUpdateAges(
  rules: readonly Rule[],
  lastSeen: ReadonlyMap<number, Date>,
  faults: FaultTable,
  now: number,
): void {
  for (const rule of rules) {
    const interval = rule.watchInterval;
    if (interval === undefined) continue;
    const seen = lastSeen.get(rule.index);
    if (seen === undefined) {
      faults.late(rule.identifier, NOT_PRESENT);
    } else if (now > seen.getTime() + LATE_FACTOR * interval * 1000) {
      faults.late(rule.identifier, noUpdatesSince(seen));
    } else {
      faults.onTime(rule.identifier);
    }
  }
}
