const NS_PER_MS = 1_000_000n;

/** Seconds-precision ISO text, an optional fraction, then the rest (zone). */
const ISO_FRACTION = /^(\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})[.,](\d+)(.*)$/;

/**
 * A record's `timestamp` as nanoseconds since the epoch, in decimal text: a `Date`, or an
 * ISO 8601 string whose fraction is kept to the nanosecond (PicoTC08 writes microseconds).
 * `undefined` when the value is not a valid time.
 */
export function timestampToNs(value: unknown): string | undefined {
  if (value instanceof Date) return msToNs(value.getTime());
  if (typeof value !== 'string') return undefined;
  const match = ISO_FRACTION.exec(value.trim());
  if (match === null) return msToNs(Date.parse(value));
  const [, whole = '', fraction = '', zone = ''] = match;
  const ms = Date.parse(whole.replace(' ', 'T') + zone);
  if (Number.isNaN(ms)) return undefined;
  return String(BigInt(ms) * NS_PER_MS + BigInt(fraction.slice(0, 9).padEnd(9, '0')));
}

/** Whole milliseconds to nanosecond text; the common case without BigInt arithmetic. */
function msToNs(ms: number): string | undefined {
  if (Number.isNaN(ms)) return undefined;
  if (ms > 0) return `${ms}000000`;
  return String(BigInt(ms) * NS_PER_MS);
}

/**
 * Times for receipts that carry no timestamp: the wall clock in nanoseconds, but strictly
 * increasing, so that two receipts within one millisecond do not land on the same instant
 * (InfluxDB would keep only the later point of a series).
 */
export class ReceiptClock {
  readonly #now: () => number;
  #last = -1n;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  next(): bigint {
    const wall = BigInt(Math.floor(this.#now())) * NS_PER_MS;
    this.#last = wall > this.#last ? wall : this.#last + 1n;
    return this.#last;
  }
}

/** The one default run id of the stores (Python datalogd's), kept here for the sink's imports. */
export { defaultRunId } from '../../../io/run-id.js';
