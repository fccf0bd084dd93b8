/**
 * Thinning a long line for drawing without changing how it looks (the M4 method): the x range
 * is cut into one bucket per pixel column, and each bucket keeps its first, lowest, highest
 * and last point. Every pixel column then shows the same vertical extent and the same joins
 * to its neighbours as with all points, at no more than four points a column, so a day of
 * one-second readings draws as fast as a minute of them.
 */

export interface Line {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * `line` with at most four points per bucket of [x0, x1] cut into `buckets`; returned as it
 * is when it is short enough already. The points kept stay in their original order.
 */
export function thinLine(line: Line, x0: number, x1: number, buckets: number): Line {
  const n = line.x.length;
  if (n <= 4 * buckets || !(x1 > x0)) return line;
  const none = -1;
  const first = new Int32Array(buckets).fill(none);
  const last = new Int32Array(buckets).fill(none);
  const low = new Int32Array(buckets).fill(none);
  const high = new Int32Array(buckets).fill(none);
  const scale = buckets / (x1 - x0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(((line.x[i] as number) - x0) * scale)));
    const y = line.y[i] as number;
    if (first[b] === none) {
      first[b] = i;
      low[b] = i;
      high[b] = i;
    } else {
      if (y < (line.y[low[b] as number] as number)) low[b] = i;
      if (y > (line.y[high[b] as number] as number)) high[b] = i;
    }
    last[b] = i;
  }
  const keep = new Uint8Array(n);
  for (const indices of [first, last, low, high]) {
    for (const i of indices) if (i !== none) keep[i] = 1;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i] as number;
  const x = new Float64Array(kept);
  const y = new Float64Array(kept);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 1) {
      x[k] = line.x[i] as number;
      y[k] = line.y[i] as number;
      k += 1;
    }
  }
  return { x, y };
}
