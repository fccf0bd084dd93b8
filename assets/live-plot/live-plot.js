// The live plot page: receives the layout and points from the daemon over a WebSocket,
// keeps them per trace, and redraws the charts once per animation frame when something
// changed. `window.datalogdLivePlot` exposes the charts and counts (tests and the bench
// read it; it is also handy in the browser console).

import { buildCharts, resizeCharts } from './charts.js';
import { connect } from './connection.js';
import { TraceStore, align, toCsv } from './store.js';

const $ = (id) => document.getElementById(id);

const state = {
  layout: null,
  traces: [],
  units: [],
  charts: [],
  follow: true,
  dirty: false,
  connected: false,
  synced: false,
  skipped: { plot_skipped: 0, plot_bad_values: 0 },
  waitingSince: null,
  // What the history buttons loaded: null, or {range, fromMs, points, truncated}; or an error.
  history: null,
  historyError: null,
};

const api = {
  charts: [],
  state,
  stats: { messages: 0, points: 0, draws: 0, reconnects: 0, hellos: 0, syncs: 0, histories: 0 },
  /** Called after each redraw with the newest x (ms) drawn per trace. */
  onDraw: [],
};
window.datalogdLivePlot = api;

function pageUrl(path) {
  const url = new URL(path, window.location.href);
  const token = new URLSearchParams(window.location.search).get('token');
  if (token !== null) url.searchParams.set('token', token);
  return url;
}

async function loadHistory(range) {
  state.historyError = null;
  showStatus('loading history…');
  try {
    const url = pageUrl('history');
    url.searchParams.set('range', range);
    // Only what is older than every trace's live points: those the page holds already.
    const oldest = state.traces.map((t) =>
      t.store.length > 0 ? t.store.x[t.store.start] : Date.now(),
    );
    if (oldest.length > 0) url.searchParams.set('before', String(Math.max(...oldest)));
    const response = await fetch(url, { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    for (const trace of state.traces) trace.store.clearHistory();
    let points = 0;
    for (const [index, xs, ys] of body.traces) {
      const trace = state.traces[index];
      if (trace === undefined) continue;
      trace.store.setHistory(xs, ys);
      points += trace.store.history[0].length;
    }
    state.history = { range, fromMs: body.fromMs, points, truncated: body.truncated };
    api.stats.histories += 1;
    $('history-clear').hidden = false;
    state.dirty = true;
    setFollow(true);
  } catch (err) {
    state.historyError = err instanceof Error ? err.message : String(err);
    showStatus();
  }
}

function clearHistory() {
  for (const trace of state.traces) trace.store.clearHistory();
  state.history = null;
  state.historyError = null;
  $('history-clear').hidden = true;
  state.dirty = true;
  setFollow(true);
}

function socketUrl() {
  const url = new URL('ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(window.location.search).get('token');
  if (token !== null) url.searchParams.set('token', token);
  return url.href;
}

function onHello(message) {
  api.stats.hellos += 1;
  state.synced = false;
  const layout = {
    node: message.node,
    title: message.title,
    npoints: message.npoints,
    window: message.window,
    xlink: message.xlink,
    crosshair: message.crosshair,
    size: message.size,
    panels: message.panels,
  };
  const flat = message.panels.flatMap((panel, p) => panel.traces.map((t) => ({ ...t, panel: p })));
  state.layout = layout;
  state.traces = flat.map((t) => ({
    spec: t,
    store: new TraceStore(layout.npoints, layout.window),
  }));
  state.units = flat.map((t) => t.units);
  state.history = null;
  state.historyError = null;
  $('history').hidden = message.history !== true;
  $('history-clear').hidden = true;
  document.title = message.title;
  $('title').textContent = message.title;
  rebuild();
}

function rebuild() {
  state.charts = buildCharts(state.layout, state.units, $('panels'), {
    onZoom: () => setFollow(false),
    onDraw: (chart) => {
      if (chart === state.charts[state.charts.length - 1]) afterDraw();
    },
  });
  api.charts = state.charts;
  for (const chart of state.charts) {
    chart.over.addEventListener('dblclick', () => setFollow(true));
  }
  state.dirty = true;
  schedule();
}

function onPoints(message) {
  for (const [index, xs, ys] of message.traces) {
    const trace = state.traces[index];
    if (trace === undefined) continue;
    trace.store.append(xs, ys);
    api.stats.points += xs.length;
  }
  if (message.units) applyUnits(message.units.map(([index, units]) => [index, units]));
  if (message.skipped) state.skipped = message.skipped;
  state.dirty = true;
  schedule();
}

function applyUnits(pairs) {
  let changed = false;
  for (const [index, units] of pairs) {
    if (state.units[index] !== units) {
      state.units[index] = units;
      changed = true;
    }
  }
  if (changed) rebuild();
}

function onSynced(message) {
  api.stats.syncs += 1;
  state.synced = true;
  applyUnits(message.units.map((units, index) => [index, units]));
  state.skipped = message.skipped;
  showStatus();
  // ?history=hour or ?history=run in the page's address loads that history on opening,
  // before the page goes on live (a bookmark for "show me the last hour").
  const wanted = new URLSearchParams(window.location.search).get('history');
  if (
    api.stats.syncs === 1 &&
    $('history').hidden === false &&
    (wanted === 'hour' || wanted === 'run')
  ) {
    void loadHistory(wanted);
  }
}

let frame = 0;
function schedule() {
  if (frame !== 0) return;
  frame = window.requestAnimationFrame(draw);
}

function draw() {
  frame = 0;
  if (!state.dirty || state.layout === null) return;
  state.dirty = false;
  const perPanel = state.layout.panels.map((panel) =>
    panel.traces.map((t) => state.traces[t.index].store.points()),
  );
  const data = perPanel.map((series) => (series.length === 0 ? [[]] : align(series)));
  let range = null;
  if (state.follow) range = followRange(data);
  state.charts.forEach((chart, p) => {
    chart.setData(data[p], false);
    if (range !== null)
      chart.setScale('x', state.layout.xlink ? range : (followRange([data[p]]) ?? range));
  });
  api.stats.draws += 1;
  showStatus();
}

/** The x range that shows the newest data: everything held, or the last `window` ms. */
function followRange(data) {
  let min = Infinity;
  let max = -Infinity;
  for (const table of data) {
    const xs = table[0];
    if (xs.length === 0) continue;
    min = Math.min(min, xs[0]);
    max = Math.max(max, xs[xs.length - 1]);
  }
  if (max === -Infinity) return null;
  // Loaded history is shown whole; otherwise the window, when there is one.
  if (state.layout.window !== null && state.history === null) {
    min = Math.max(min, max - state.layout.window);
  }
  if (max - min < 1) return { min: min - 1000, max: max + 1000 };
  return { min, max };
}

function afterDraw() {
  const newest = state.traces.map((t) => t.store.lastX() ?? null);
  for (const callback of api.onDraw) callback(newest);
}

function setFollow(follow) {
  state.follow = follow;
  $('pause').textContent = follow ? 'Pause' : 'Resume';
  if (follow) {
    state.dirty = true;
    schedule();
  }
  showStatus();
}

function showStatus(doing) {
  const el = $('status');
  if (!state.connected) {
    const since =
      state.waitingSince === null
        ? ''
        : ` since ${new Date(state.waitingSince).toLocaleTimeString()}`;
    el.textContent = `Disconnected from datalogd${since}: reconnecting…`;
    el.className = 'waiting';
    return;
  }
  const points = state.traces.reduce((n, t) => n + t.store.total, 0);
  const parts = [state.follow ? 'Live' : 'Paused', `${points} points`];
  if (!state.synced) parts.push('receiving history…');
  if (doing !== undefined) parts.push(doing);
  if (state.history !== null) {
    const what = state.history.range === 'run' ? 'this run' : 'the last hour';
    const from =
      state.history.fromMs === null
        ? ''
        : ` from ${new Date(state.history.fromMs).toLocaleTimeString()}`;
    const cut = state.history.truncated ? ', the newest part only' : '';
    parts.push(`history of ${what}${from}: ${state.history.points} points${cut}`);
  }
  if (state.historyError !== null) parts.push(`history not loaded: ${state.historyError}`);
  if (state.skipped.plot_skipped > 0) {
    parts.push(`${state.skipped.plot_skipped} records matched no trace or had no value`);
  }
  if (state.skipped.plot_bad_values > 0) {
    parts.push(`${state.skipped.plot_bad_values} records had a value that cannot be plotted`);
  }
  el.textContent = parts.join(' · ');
  el.className = state.follow ? 'live' : 'paused';
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function stamp() {
  return new Date().toISOString().replaceAll(':', '-').replace(/\..*$/, '');
}

function downloadCsv() {
  if (state.layout === null) return;
  const traces = [];
  state.layout.panels.forEach((panel, p) => {
    const { min, max } = state.charts[p].scales.x;
    for (const t of panel.traces) {
      traces.push({
        name: t.name,
        units: state.units[t.index],
        points: state.traces[t.index].store.points(),
        min,
        max,
      });
    }
  });
  const min = Math.min(...traces.map((t) => t.min ?? -Infinity));
  const max = Math.max(...traces.map((t) => t.max ?? Infinity));
  const csv = toCsv(traces, min, max);
  download(`${state.layout.node}-${stamp()}.csv`, new Blob([csv], { type: 'text/csv' }));
}

function downloadPng() {
  if (state.charts.length === 0) return;
  const canvases = state.charts.map((c) => c.ctx.canvas);
  const ratio = window.devicePixelRatio || 1;
  const titleHeight = 32 * ratio;
  const legendHeight = 22 * ratio;
  const width = Math.max(...canvases.map((c) => c.width));
  const height = titleHeight + canvases.reduce((h, c) => h + c.height + legendHeight, 0);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#ddd';
  ctx.font = `${16 * ratio}px sans-serif`;
  ctx.fillText(state.layout.title, 8 * ratio, 22 * ratio);
  let y = titleHeight;
  state.layout.panels.forEach((panel, p) => {
    ctx.drawImage(canvases[p], 0, y);
    y += canvases[p].height;
    let x = 8 * ratio;
    ctx.font = `${12 * ratio}px sans-serif`;
    for (const t of panel.traces) {
      ctx.fillStyle = t.color;
      ctx.fillText(`— ${t.name}`, x, y + 15 * ratio);
      x += ctx.measureText(`— ${t.name}`).width + 16 * ratio;
    }
    y += legendHeight;
  });
  out.toBlob((blob) => {
    if (blob !== null) download(`${state.layout.node}-${stamp()}.png`, blob);
  }, 'image/png');
}

$('pause').addEventListener('click', () => setFollow(!state.follow));
$('reset').addEventListener('click', () => setFollow(true));
$('history-hour').addEventListener('click', () => void loadHistory('hour'));
$('history-run').addEventListener('click', () => void loadHistory('run'));
$('history-clear').addEventListener('click', clearHistory);
$('csv').addEventListener('click', downloadCsv);
$('png').addEventListener('click', downloadPng);
window.addEventListener('resize', () => {
  if (state.layout !== null) resizeCharts(state.layout, state.charts, $('panels'));
});

connect(socketUrl(), {
  open() {
    state.connected = true;
    state.waitingSince = null;
    showStatus();
  },
  message(message) {
    api.stats.messages += 1;
    if (message.type === 'hello') onHello(message);
    else if (message.type === 'points') onPoints(message);
    else if (message.type === 'synced') onSynced(message);
  },
  closed() {
    if (state.connected) api.stats.reconnects += 1;
    state.connected = false;
    state.waitingSince ??= Date.now();
    showStatus();
  },
});
