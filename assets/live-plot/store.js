// The page's copy of each trace: at most `npoints` points, and within the time window,
// as the daemon holds them. Charts want one x column per panel, so a panel's traces are
// merged by time into uPlot's aligned table (a trace with no point at a time gets null,
// and its line spans the gap).

export class TraceStore {
  constructor(npoints, windowMs) {
    this.npoints = npoints;
    this.windowMs = windowMs;
    this.x = [];
    this.y = [];
    this.start = 0;
    this.sorted = true;
    // Points loaded from the store on request, older than every live point; shown before
    // them, and kept apart so that live points trim by npoints and window as before.
    this.history = null;
  }

  get length() {
    return this.x.length - this.start;
  }

  /** Points held in all: live and, when loaded, history. */
  get total() {
    return this.length + (this.history === null ? 0 : this.history[0].length);
  }

  /** Keeps the history points (sorted) that are older than the oldest live point. */
  setHistory(xs, ys) {
    const oldestLive = this.length > 0 ? this.x[this.start] : Infinity;
    let n = 0;
    while (n < xs.length && xs[n] < oldestLive) n += 1;
    this.history = [xs.slice(0, n), ys.slice(0, n)];
  }

  clearHistory() {
    this.history = null;
  }

  clear() {
    this.x = [];
    this.y = [];
    this.start = 0;
    this.sorted = true;
  }

  append(xs, ys) {
    const n = Math.min(xs.length, ys.length);
    let last = this.length > 0 ? this.x[this.x.length - 1] : -Infinity;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      if (x < last) this.sorted = false;
      last = x;
      this.x.push(x);
      this.y.push(ys[i]);
    }
    this.trim();
  }

  lastX() {
    return this.length > 0 ? this.x[this.x.length - 1] : undefined;
  }

  trim() {
    let start = Math.max(this.start, this.x.length - this.npoints);
    if (this.windowMs !== null && this.length > 0) {
      const cutoff = this.lastX() - this.windowMs;
      while (start < this.x.length && this.x[start] < cutoff) start += 1;
    }
    this.start = start;
    if (this.start > 4096 && this.start * 2 > this.x.length) {
      this.x = this.x.slice(this.start);
      this.y = this.y.slice(this.start);
      this.start = 0;
    }
  }

  /** The held points as [xs, ys], sorted by time: history first, then live. */
  points() {
    const live = this.livePoints();
    if (this.history === null || this.history[0].length === 0) return live;
    const oldestLive = live[0].length > 0 ? live[0][0] : Infinity;
    const [hx, hy] = this.history;
    let n = hx.length;
    while (n > 0 && hx[n - 1] >= oldestLive) n -= 1;
    return [hx.slice(0, n).concat(live[0]), hy.slice(0, n).concat(live[1])];
  }

  livePoints() {
    const xs = this.x.slice(this.start);
    const ys = this.y.slice(this.start);
    if (this.sorted) return [xs, ys];
    const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
    return [order.map((i) => xs[i]), order.map((i) => ys[i])];
  }
}

/** uPlot's aligned data for traces (each [xs, ys], sorted): [x, y1, y2, ...]. */
export function align(series) {
  if (series.length === 1) return [series[0][0], series[0][1]];
  const k = series.length;
  const heads = new Array(k).fill(0);
  const xs = [];
  const columns = series.map(() => []);
  for (;;) {
    let min = Infinity;
    for (let s = 0; s < k; s++) {
      const sx = series[s][0];
      if (heads[s] < sx.length && sx[heads[s]] < min) min = sx[heads[s]];
    }
    if (min === Infinity) break;
    xs.push(min);
    for (let s = 0; s < k; s++) {
      const [sx, sy] = series[s];
      if (heads[s] < sx.length && sx[heads[s]] === min) {
        columns[s].push(sy[heads[s]]);
        heads[s] += 1;
      } else {
        columns[s].push(null);
      }
    }
  }
  return [xs, ...columns];
}

/** CSV text of traces ({name, units, points: [xs, ys]}) between minX and maxX. */
export function toCsv(traces, minX, maxX) {
  const inRange = traces.map((t) => {
    const [xs, ys] = t.points;
    const keepX = [];
    const keepY = [];
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] >= minX && xs[i] <= maxX) {
        keepX.push(xs[i]);
        keepY.push(ys[i]);
      }
    }
    return [keepX, keepY];
  });
  const table = inRange.length === 0 ? [[]] : align(inRange);
  const header = ['timestamp', ...traces.map((t) => (t.units ? `${t.name} (${t.units})` : t.name))];
  const lines = [header.map(csvField).join(',')];
  const times = table[0];
  for (let r = 0; r < times.length; r++) {
    const row = [new Date(times[r]).toISOString()];
    for (let c = 1; c < table.length; c++) {
      const v = table[c][r];
      row.push(v === null || v === undefined ? '' : String(v));
    }
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
