/** Fault descriptions, word for word as Python datalogd writes them. */
export const NOT_PRESENT = 'not present';
export const OUT_OF_RANGE = 'out of range';
const NO_UPDATES_PREFIX = 'no updates since ';

/** `no updates since <ISO 8601 time of the last update>`. */
export function noUpdatesSince(lastSeen: Date): string {
  return `${NO_UPDATES_PREFIX}${lastSeen.toISOString()}`;
}

/**
 * The faults currently detected, by sensor identifier, each a list of descriptions in the
 * order they were found. Identifiers keep the order in which they first went wrong.
 */
export class FaultTable {
  readonly #faults = new Map<string, string[]>();

  get size(): number {
    return this.#faults.size;
  }

  /**
   * A reading arrived: `not present` and `no updates since …` are over. Python datalogd
   * only clears the second one in its watchdog loop (it compares against the unformatted
   * text); here a fresh reading clears both at once. Returns whether anything changed.
   */
  seen(identifier: string): boolean {
    const list = this.#faults.get(identifier);
    if (list === undefined) return false;
    const kept = list.filter((f) => f !== NOT_PRESENT && !f.startsWith(NO_UPDATES_PREFIX));
    if (kept.length === list.length) return false;
    this.#faults.set(identifier, kept);
    return true;
  }

  /** Adds or clears `out of range`; returns whether anything changed. */
  setOutOfRange(identifier: string, outOfRange: boolean): boolean {
    const list = this.#faults.get(identifier);
    const present = list?.includes(OUT_OF_RANGE) === true;
    if (outOfRange === present) return false;
    if (outOfRange) this.#add(identifier, OUT_OF_RANGE);
    else
      this.#faults.set(
        identifier,
        (list ?? []).filter((f) => f !== OUT_OF_RANGE),
      );
    return true;
  }

  /** Forgets a sensor whose faults have all cleared. */
  prune(identifier: string): void {
    if (this.#faults.get(identifier)?.length === 0) this.#faults.delete(identifier);
  }

  /** The watchdog found the sensor missing or late: records the description once. */
  late(identifier: string, description: string): void {
    if (this.#faults.get(identifier)?.includes(description) !== true) {
      this.#add(identifier, description);
    }
  }

  /** The watchdog found the sensor on time: only an `out of range` fault can remain. */
  onTime(identifier: string): void {
    const list = this.#faults.get(identifier);
    if (list === undefined) return;
    if (list.includes(OUT_OF_RANGE)) this.#faults.set(identifier, [OUT_OF_RANGE]);
    else this.#faults.delete(identifier);
  }

  /** A copy: what is sent must not change when the table does. */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [identifier, list] of this.#faults) out[identifier] = [...list];
    return out;
  }

  #add(identifier: string, description: string): void {
    const list = this.#faults.get(identifier);
    if (list === undefined) this.#faults.set(identifier, [description]);
    else list.push(description);
  }
}

/**
 * The watchdog record, in Python datalogd's exact shape: `value` is `OK` or `FAULT`, and
 * `faults` (only when there are some) maps each sensor identifier to its descriptions.
 */
export function watchdogRecord(faults: FaultTable): Record<string, unknown> {
  const record: Record<string, unknown> = {
    type: 'watchdog',
    sensor_identifier: 'WATCHDOG',
    sensor_name: 'Watchdog',
    value: 'OK',
    range: ['OK', 'OK'],
    critical_range: true,
  };
  if (faults.size > 0) {
    record['value'] = 'FAULT';
    record['faults'] = faults.snapshot();
  }
  return record;
}

/**
 * Whether a reading is within `[low, high]`, as Python datalogd means it: NaN, null and the
 * texts `NaN`/`nan`/`NAN` are out of range; numbers compare with numbers and texts with
 * texts; anything else cannot be compared and leaves the fault as it was.
 */
export function rangeVerdict(value: unknown, range: readonly unknown[]): 'in' | 'out' | 'unknown' {
  if (value === null || value === undefined) return 'out';
  if (value === 'NaN' || value === 'nan' || value === 'NAN') return 'out';
  const [low, high] = range;
  const v = comparable(value);
  const lo = comparable(low);
  const hi = comparable(high);
  if (v === undefined || lo === undefined || hi === undefined) return 'unknown';
  if (typeof v !== typeof lo || typeof v !== typeof hi) return 'unknown';
  if (typeof v === 'number' && Number.isNaN(v)) return 'out';
  return v < lo || v > hi ? 'out' : 'in';
}

function comparable(x: unknown): number | string | undefined {
  if (typeof x === 'number' || typeof x === 'string') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  return undefined;
}
