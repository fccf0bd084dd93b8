// The live plot sinks in the real daemon, without a browser: configuration errors, what the
// server serves, the demo graph, and what a tab that stops reading costs.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import {
  DaemonProcess,
  makeSandbox,
  REPO_ROOT,
  runDaemon,
  type Sandbox,
} from '../helpers/daemon.js';
import { Peer, serverPort } from '../helpers/peers.js';
import { sleep, waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

async function plotUrl(daemon: DaemonProcess, node: string): Promise<string> {
  const pattern = new RegExp(`\\[${node}\\] Live plot at (\\S+)`);
  await daemon.waitForStderr(pattern);
  return pattern.exec(daemon.stderr)?.[1] ?? '';
}

test('an unknown pen or a malformed plotlayout stops the daemon before it starts, naming node, line and option', async () => {
  const conf = join(sandbox.dir, 'bad-plot.conf');
  await writeFile(
    conf,
    [
      '[datalogd]',
      'connection_graph =',
      '  digraph {',
      '    a [class=NullDataSource];',
      `    plot [class=PyqtgraphDataSink, plotlayout="[{'traces': [{'name': 'x', 'pen': 'purplish'}]}, {'ylable': 'y'}]"];`,
      '    a -> plot;',
      '  }',
      '',
    ].join('\n'),
  );
  const { code, stderr } = await runDaemon(['-c', conf], sandbox.env);
  assert.equal(code, 1);
  assert.match(stderr, /2 configuration problems/);
  assert.match(
    stderr,
    /\[DATALOGD_ERR_OPTION_TYPE\] \S*bad-plot\.conf:5: node "plot": option "plotlayout\.0\.traces\.0\.pen" of PyqtgraphDataSink "purplish" is not a colour/,
  );
  assert.match(
    stderr,
    /option "plotlayout\.1\.ylable" of PyqtgraphDataSink is not an option here \(did you mean "ylabel"\?\)/,
  );
  assert.doesNotMatch(stderr, /Live plot at/);
});

test('the server serves the page, the chart library and the page script from the package, with their types', async () => {
  const daemon = new DaemonProcess(
    [
      '-g',
      'digraph { a [class=NullDataSource]; "my plot" [class=LivePlotDataSink, port=0, title="Bench A"]; a -> "my plot"; }',
    ],
    sandbox.env,
  );
  try {
    const url = await plotUrl(daemon, 'my plot');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/plot\/my%20plot\/$/);
    const origin = new URL(url).origin;
    const page = await fetch(url);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const pageText = await page.text();
    assert.match(pageText, /<title>Bench A<\/title>/);
    assert.doesNotMatch(pageText, /https?:\/\//, 'nothing from a CDN');
    const require = createRequire(import.meta.url);
    const uplotFile = require.resolve('uplot/dist/uPlot.iife.min.js');
    const library = await fetch(`${origin}/assets/uplot/uPlot.iife.min.js`);
    assert.equal(library.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await library.text(), await readFile(uplotFile, 'utf8'));
    const css = await fetch(`${origin}/assets/uplot/uPlot.min.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const script = await fetch(`${origin}/assets/live-plot/live-plot.js`);
    assert.equal(script.status, 200);
    assert.equal(
      await script.text(),
      await readFile(join(REPO_ROOT, 'assets/live-plot/live-plot.js'), 'utf8'),
    );
    const index = await (await fetch(`${origin}/`)).text();
    assert.match(index, /<a href="\/plot\/my%20plot\/">Bench A<\/a>/);
    assert.equal((await fetch(`${origin}/assets/nothing.js`)).status, 404);
  } finally {
    await daemon.stop();
  }
});

test('with no configuration, the demo graph feeds a live plot and its warning prints the URL', async () => {
  const daemon = new DaemonProcess([], sandbox.env);
  try {
    await daemon.waitForStderr(/WARNING .*demo graph.*http:\/\/127\.0\.0\.1:45480\/plot\/plot\//);
    // The default port may be taken on a shared machine; then the plot says so and retries.
    await daemon.waitForStderr(
      /\[plot\] Live plot at http:\/\/127\.0\.0\.1:45480\/plot\/plot\/|DATALOGD_ERR_WEB_LISTEN/,
    );
  } finally {
    await daemon.stop();
  }
});

/** A Python peer that opens the plot's WebSocket with a tiny receive buffer and never reads. */
function stalledTab(port: number, path: string): Peer {
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    `s.connect(('127.0.0.1', ${port}))`,
    `s.sendall(b'GET ${path} HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'`,
    "  b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n')",
    "print('open', flush=True)",
    'time.sleep(60)',
  ].join('\n');
  return new Peer('python3', ['-c', script]);
}

function rssMiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (text) => Number(/VmRSS:\s+(\d+)/.exec(text)?.[1]) / 1024,
  );
}

const TRACES = 8;
const RATE = 10_000;
const FEED_MS = 12_000;
/**
 * A stalled tab is seen only once the kernel's send buffer for it is full (up to
 * net.ipv4.tcp_wmem's 4 MiB here): until then its writes keep finishing. The feed goes on
 * past FEED_MS until every stalled tab was dropped, or this long.
 */
const FEED_MAX_MS = 40_000;

test('tabs that never read, while 10,000 records/s flow, keep RSS flat and do not slow a reading tab', async () => {
  const layout = `[{'traces': [${Array.from({ length: TRACES }, (_, i) => `{'name': 'c${i}', 'selector': [['id', 'c${i}']]}`).join(', ')}]}]`;
  const daemon = new DaemonProcess(
    [
      '-g',
      `digraph { src [class=SocketDataFilter, port=0]; plot [class=LivePlotDataSink, port=0, npoints=10000, plotlayout="${layout}"]; src -> plot; }`,
    ],
    sandbox.env,
  );
  const stalled: Peer[] = [];
  let reader: WebSocket | undefined;
  let feeder: net.Socket | undefined;
  try {
    const feedPort = await serverPort(daemon, 'src');
    const url = new URL(await plotUrl(daemon, 'plot'));
    const pid = daemon.child.pid ?? 0;

    let received = 0;
    let newest = 0;
    reader = new WebSocket(`ws://127.0.0.1:${url.port}${url.pathname}ws`);
    reader.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        traces?: [number, number[], number[]][];
      };
      for (const [, xs] of message.traces ?? []) {
        received += xs.length;
        newest = Math.max(newest, ...xs);
      }
    });
    await new Promise((resolve) => reader?.once('open', resolve));
    for (let i = 0; i < 3; i++) {
      const tab = stalledTab(Number(url.port), `${url.pathname}ws`);
      await tab.waitForLines(1);
      stalled.push(tab);
    }

    feeder = net.connect(feedPort, '127.0.0.1');
    await new Promise((resolve) => feeder?.once('connect', resolve));
    const started = Date.now();
    let sent = 0;
    const samples: number[] = [];
    let nextSample = started + 2000;
    const dropped = (): number =>
      daemon.stderr.match(/DATALOGD_ERR_WEB_CLIENT_STALLED/g)?.length ?? 0;
    const feeding = (): boolean => {
      const elapsed = Date.now() - started;
      return elapsed < FEED_MS || (dropped() < 3 && elapsed < FEED_MAX_MS);
    };
    while (feeding()) {
      const due = Math.floor(((Date.now() - started) * RATE) / 1000);
      const records = [];
      const now = new Date().toISOString();
      for (; sent < due; sent++)
        records.push({
          id: `c${sent % TRACES}`,
          value: Math.sin(sent / 100) * 1000,
          timestamp: now,
        });
      if (records.length > 0) feeder.write(`${JSON.stringify(records)}\u0017`);
      if (Date.now() >= nextSample) {
        samples.push(await rssMiB(pid));
        nextSample += 1000;
      }
      await sleep(10);
    }
    const lastSent = Date.now();
    await waitUntil(() => received >= sent, `the reading tab to receive all ${sent} points`, {
      timeoutMs: 5000,
      detail: () => `received ${received}`,
    });
    const caughtUpMs = Date.now() - lastSent;

    const fedMs = lastSent - started;
    assert.ok(sent >= RATE * (fedMs / 1000) * 0.95, `fed ${sent} records in ${fedMs} ms`);
    assert.equal(dropped(), 3, 'every tab that read nothing was dropped while records flowed');
    assert.ok(
      caughtUpMs < 2000,
      `the reading tab caught up ${caughtUpMs} ms after the last record`,
    );
    assert.ok(Date.now() - newest < 4000, 'the newest point the reader has is recent');
    const growth = Math.max(...samples) - (samples[0] ?? 0);
    assert.ok(
      growth < 40,
      `RSS grew ${growth.toFixed(1)} MiB while three tabs read nothing (${samples.map((s) => s.toFixed(0)).join(', ')})`,
    );
  } finally {
    feeder?.destroy();
    reader?.terminate();
    for (const tab of stalled) await tab.stop();
    await daemon.stop();
  }
  assert.match(daemon.stderr, /plot: .*web_clients_dropped=3/);
});
