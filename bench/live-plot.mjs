// The live plot, measured in Debian's chromium: latency from a record entering the daemon to
// being drawn in the page (p50, p99) at 1,000 records/s over 8 traces, and 10,000 records/s
// sustained into 8 traces x 10,000 points (daemon CPU and RSS, whether the page keeps up).
// Baseline in the same run: a bare `ws` server pushing the same records to a bare page with
// the same uPlot. Run: node bench/live-plot.mjs (after npm run build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, median, rssMiB, sleep } from './lib.mjs';

const TRACES = 8;
const NPOINTS = 10_000;
const LATENCY_RATE = 1000;
const LATENCY_S = Number(process.env.LATENCY_S ?? 10);
const SUSTAINED_RATE = 10_000;
const SUSTAINED_S = Number(process.env.SUSTAINED_S ?? 15);
const DELIMITER = '\u0017';
const require = createRequire(import.meta.url);
const UPLOT_JS = require.resolve('uplot/dist/uPlot.iife.min.js');
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');

/** The baseline: records from a TCP feed, pushed as they come to every page over `ws`. */
function bareServer(feedPort, webPort) {
  const { WebSocketServer } = require('ws');
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>bare</title>
<link rel="stylesheet" href="/uPlot.min.css"></head><body><div id="chart"></div>
<script src="/uPlot.iife.min.js"></script><script>${barePageScript()}</script></body></html>`;
  const http = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    else if (req.url === '/uPlot.iife.min.js')
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(UPLOT_JS));
    else if (req.url === '/uPlot.min.css')
      res.writeHead(200, { 'Content-Type': 'text/css' }).end(readFileSync(UPLOT_CSS));
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http });
  http.listen(webPort, '127.0.0.1');
  net
    .createServer((socket) => {
      let partial = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => {
        const parts = (partial + chunk).split(DELIMITER);
        partial = parts.pop();
        for (const text of parts) {
          for (const client of wss.clients) client.send(text);
        }
      });
    })
    .listen(feedPort, '127.0.0.1', () => console.log('READY'));
}

/** The bare page: one chart of 8 series, rows keyed by timestamp, redrawn once per frame. */
function barePageScript() {
  return `
const N = ${NPOINTS}, K = ${TRACES};
const xs = [], cols = Array.from({ length: K }, () => []);
const u = new uPlot({ width: 1000, height: 600, ms: 1, scales: { x: { time: true } },
  series: [{}, ...cols.map((_, i) => ({ label: 'c' + i, stroke: 'hsl(' + i * 45 + ',80%,60%)', spanGaps: true }))] },
  [xs, ...cols], document.getElementById('chart'));
window.bench = { u, points: 0, draws: 0, xs };
let frame = 0;
const ws = new WebSocket('ws://' + location.host + '/');
ws.onmessage = (e) => {
  for (const r of JSON.parse(e.data)) {
    const x = Date.parse(r.timestamp), i = Number(r.id.slice(1));
    if (xs.length === 0 || xs[xs.length - 1] !== x) { xs.push(x); for (const c of cols) c.push(null); }
    cols[i][cols[i].length - 1] = r.value;
    window.bench.points += 1;
  }
  if (xs.length > N * 1.2) { const cut = xs.length - N; xs.splice(0, cut); for (const c of cols) c.splice(0, cut); }
  if (frame === 0) frame = requestAnimationFrame(draw);
};
function draw() {
  frame = 0;
  const from = Math.max(0, xs.length - N);
  u.setData([xs.slice(from), ...cols.map((c) => c.slice(from))]);
  window.bench.draws += 1;
  for (const f of window.benchOnDraw ?? []) f();
}`;
}

async function main() {
  const { chromium } = await import('playwright-core');
  const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  const home = mkdtempSync(join(tmpdir(), 'datalogd-bench-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'c'),
    XDG_CONFIG_DIRS: join(home, 's'),
  };
  const browser = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: '/usr/bin/chromium',
    viewport: { width: 1100, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const results = {};
  try {
    // datalogd
    {
      const feedPort = await freePort();
      const plotPort = await freePort();
      const layout = `[{'ylabel': 'value', 'traces': [${Array.from({ length: TRACES }, (_, i) => `{'name': 'c${i}', 'selector': [['id', 'c${i}']]}`).join(', ')}]}]`;
      const graph = `digraph { src [class=SocketDataFilter, port=${feedPort}]; plot [class=LivePlotDataSink, port=${plotPort}, npoints=${NPOINTS}, plotlayout="${layout}"]; src -> plot; }`;
      const daemon = spawn(process.execPath, [cli, '-g', graph], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      try {
        await waitForOutput(daemon, /Live plot at/);
        results.datalogd = await measure(
          browser,
          daemon.pid,
          feedPort,
          `http://127.0.0.1:${plotPort}/plot/plot/`,
          datalogdHook,
        );
      } finally {
        daemon.kill('SIGTERM');
        await new Promise((resolve) => daemon.once('exit', resolve));
      }
    }
    // baseline
    {
      const feedPort = await freePort();
      const webPort = await freePort();
      const server = spawn(
        process.execPath,
        [fileURLToPath(import.meta.url), '--baseline-server', String(feedPort), String(webPort)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await waitForOutput(server, /READY/, 'stdout');
        results.baseline = await measure(
          browser,
          server.pid,
          feedPort,
          `http://127.0.0.1:${webPort}/`,
          bareHook,
        );
      } finally {
        server.kill('SIGKILL');
      }
    }
  } finally {
    await browser.close();
    rmSync(home, { recursive: true, force: true });
  }
  report(results);
}

/** In the datalogd page: per draw, the latency of every point drawn for the first time. */
const datalogdHook = `(() => {
  const api = window.datalogdLivePlot;
  const seen = [];
  window.benchLatencies = [];
  window.benchDrawn = () => api.state.traces.reduce((n, t) => n + t.store.length, 0);
  window.benchPoints = () => api.stats.points;
  api.onDraw.push(() => {
    const now = Date.now();
    api.state.traces.forEach((t, i) => {
      const { x, start } = t.store;
      const last = seen[i] ?? -Infinity;
      for (let k = x.length - 1; k >= start && x[k] > last; k--) window.benchLatencies.push(now - x[k]);
      seen[i] = x.length > start ? x[x.length - 1] : last;
    });
  });
})()`;

const bareHook = `(() => {
  let last = -Infinity;
  window.benchLatencies = [];
  window.benchPoints = () => window.bench.points;
  window.benchOnDraw = [() => {
    const now = Date.now();
    const xs = window.bench.xs;
    for (let k = xs.length - 1; k >= 0 && xs[k] > last; k--) for (let j = 0; j < ${TRACES}; j++) window.benchLatencies.push(now - xs[k]);
    if (xs.length > 0) last = xs[xs.length - 1];
  }];
})()`;

async function measure(browser, pid, feedPort, url, hook) {
  const page = await browser.newPage();
  await page.goto(url);
  await sleep(1000);
  await page.evaluate(hook);
  const feeder = net.connect(feedPort, '127.0.0.1');
  await new Promise((resolve) => feeder.once('connect', resolve));

  // Latency at 1,000 records/s.
  await feed(feeder, LATENCY_RATE, LATENCY_S);
  await sleep(500);
  const latencies = await page.evaluate('window.benchLatencies.splice(0)');
  latencies.sort((a, b) => a - b);

  // Sustained 10,000 records/s.
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  const points0 = await page.evaluate('window.benchPoints()');
  const rss = [];
  const lags = [];
  const sampler = setInterval(async () => {
    rss.push(rssMiB(pid));
  }, 1000);
  const sent = await feed(feeder, SUSTAINED_RATE, SUSTAINED_S, async () => {
    lags.push(
      await page.evaluate(
        '((a) => (a.length ? a.sort((x, y) => x - y)[a.length >> 1] : NaN))(window.benchLatencies.splice(0))',
      ),
    );
  });
  clearInterval(sampler);
  const sentAt = Date.now();
  const cpu = cpuSeconds(pid) - cpu0;
  const elapsed = (sentAt - t0) / 1000;
  const points1 = await page.evaluate('window.benchPoints()');
  let caughtUp = NaN;
  for (let i = 0; i < 50; i++) {
    if ((await page.evaluate('window.benchPoints()')) - points0 >= sent) {
      caughtUp = Date.now() - sentAt;
      break;
    }
    await sleep(100);
  }
  feeder.destroy();
  await page.close();
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    latencyCount: latencies.length,
    sent,
    rate: (points1 - points0) / elapsed,
    cpuPercent: (100 * cpu) / elapsed,
    rssStart: rss[0],
    rssEnd: rss.at(-1),
    rssMax: Math.max(...rss),
    caughtUpMs: caughtUp,
    lagFirstHalf: median(lags.slice(0, Math.floor(lags.length / 2)).filter(Number.isFinite)),
    lagSecondHalf: median(lags.slice(Math.floor(lags.length / 2)).filter(Number.isFinite)),
  };
}

/** Sends `rate` records/s for `seconds`, 8 records (one per trace) per timestamp. */
async function feed(socket, rate, seconds, everySecond) {
  const started = Date.now();
  let sent = 0;
  let nextTick = started + 1000;
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) * rate) / 1000 / TRACES) * TRACES;
    if (due > sent) {
      const records = [];
      while (sent < due) {
        const timestamp = new Date().toISOString();
        for (let i = 0; i < TRACES; i++, sent++)
          records.push({ id: `c${i}`, value: Math.sin(sent / 500) * 100 + i, timestamp });
      }
      socket.write(JSON.stringify(records) + DELIMITER);
    }
    if (everySecond && Date.now() >= nextTick) {
      nextTick += 1000;
      await everySecond();
    }
    await sleep(2);
  }
  return sent;
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function quantile(sorted, q) {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function waitForOutput(child, pattern, stream = 'stderr') {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in 15 s:\n${text}`)), 15_000);
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk) => {
      text += chunk;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function report({ datalogd, baseline }) {
  const row = (name, r) =>
    `  ${name.padEnd(9)} ${fmt(r.p50).padStart(7)} ${fmt(r.p99).padStart(7)}  ${fmt(r.rate, 0).padStart(8)} ${fmt(r.cpuPercent).padStart(6)} ${fmt(r.rssStart).padStart(7)} ${fmt(r.rssMax).padStart(7)} ${fmt(r.caughtUpMs, 0).padStart(8)}`;
  console.log(
    `live plot: ${TRACES} traces, npoints ${NPOINTS}; latency record -> drawn at ${LATENCY_RATE}/s for ${LATENCY_S} s; sustained ${SUSTAINED_RATE}/s for ${SUSTAINED_S} s`,
  );
  console.log('            p50 ms  p99 ms   drawn/s   cpu%  rss0MiB rssMax  catchup ms');
  console.log(row('datalogd', datalogd));
  console.log(row('baseline', baseline));
  console.log(
    `  sustained rate datalogd / baseline: ${fmt(datalogd.rate / baseline.rate, 2)}x (target >= 0.8x); p99 target < 50 ms`,
  );
  console.log(
    `  datalogd lag (median per second), first half / second half: ${fmt(datalogd.lagFirstHalf)} / ${fmt(datalogd.lagSecondHalf)} ms (no growth = keeps up)`,
  );
}

if (process.argv[2] === '--baseline-server') {
  bareServer(Number(process.argv[3]), Number(process.argv[4]));
} else {
  await main();
}
