/**
 * When a file written in turns (see file-series.ts) starts its next file by time: at every
 * local hour, at local midnight, or every so many seconds.
 */
export type RotationInterval = 'hourly' | 'daily' | number;

const HOUR_MS = 3_600_000;

/** The first rotation time after `fromMs` (milliseconds since the epoch). */
export function nextRotation(interval: RotationInterval, fromMs: number): number {
  const from = new Date(fromMs);
  if (interval === 'hourly') {
    // From the local minutes past the hour rather than by building the next hour's local
    // time: the hour that repeats when summer time ends still ends a file of its own, and
    // a zone whose offset is not whole hours turns its hours where its clocks do.
    const intoHour = from.getMinutes() * 60_000 + from.getSeconds() * 1000 + from.getMilliseconds();
    return fromMs - intoHour + HOUR_MS;
  }
  if (interval === 'daily') {
    // The Date constructor resolves a midnight that summer time skips to the first time
    // that exists, and a 23- or 25-hour day has its midnight where the clocks show it.
    return new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1).getTime();
  }
  return fromMs + interval * 1000;
}
