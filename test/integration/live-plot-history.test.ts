// A live plot beside a SQLite store in the real daemon: the page's history buttons read
// "last hour" and "this run" from the store, over HTTP, newest points kept per trace, values
// and times exact; across two daemon starts on one store.
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { serverPort } from '../helpers/peers.js';
import { waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

interface History {
  readonly type: string;
  readonly range: string;
  readonly traces: [number, number[], number[]][];
  readonly scanned: number;
  readonly truncated: boolean;
  readonly fromMs: number | null;
}

interface Hello {
  readonly type: string;
  readonly history: boolean;
}

async function plotUrl(daemon: DaemonProcess, node: string): Promise<string> {
  const pattern = new RegExp(`\\[${node}\\] Live plot at (\\S+)`);
  await daemon.waitForStderr(pattern);
  return pattern.exec(daemon.stderr)?.[1] ?? '';
}

async function history(url: string, range: string): Promise<{ status: number; body: History }> {
  const response = await fetch(`${url}history?range=${range}`);
  return { status: response.status, body: (await response.json()) as History };
}

/** The first message a page receives. */
async function hello(url: string): Promise<Hello> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}ws`);
  try {
    return await new Promise<Hello>((resolve, reject) => {
      ws.once('message', (data: Buffer) => {
        resolve(JSON.parse(data.toString()) as Hello);
      });
      ws.once('error', reject);
    });
  } finally {
    ws.terminate();
  }
}

interface Reading {
  readonly id: string;
  readonly value: number;
  readonly timestamp: string;
}

/** Sends readings to the daemon's socket source, one message per 50 records. */
async function feed(port: number, readings: readonly Reading[]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  for (let i = 0; i < readings.length; i += 50) {
    socket.write(`${JSON.stringify(readings.slice(i, i + 50))}\u0017`);
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

function graph(store: string, plot: string): string {
  return `digraph { src [class=SocketDataFilter, port=0]; db [class=SQLiteDataSink, filename="${store}", flush_interval=0.1]; plot [${plot}]; src -> db; src -> plot; }`;
}

const MINUTE = 60_000;

/** `count` readings of `id`, one a `stepMs` apart, the newest `endAgoMs` before now. */
function readings(id: string, count: number, stepMs: number, endAgoMs: number, base: number) {
  const end = Date.now() - endAgoMs;
  return Array.from({ length: count }, (_, i) => ({
    id,
    value: base + i * 0.25,
    timestamp: new Date(end - (count - 1 - i) * stepMs).toISOString(),
  }));
}

test('the history buttons read the last hour and this run from the graph’s SQLite store, older than the page holds', async () => {
  const store = join(sandbox.dir, 'history.sqlite');
  const plot =
    "class=LivePlotDataSink, port=0, npoints=100, plotlayout=\"[{'traces': [{'name': 'a', 'selector': [['id', 'a']]}, {'name': 'b', 'selector': [['id', 'b']]}]}]\"";
  // Two hours ago (outside "last hour"), then the last 40 minutes: 30 + 80 points of a.
  const old = readings('a', 30, MINUTE, 2 * 60 * MINUTE, 0);
  const recent = readings('a', 80, 30_000, 0, 100);
  const b = readings('b', 5, MINUTE, 0, 1000);
  const first = new DaemonProcess(['-g', graph(store, plot)], sandbox.env);
  let url: string;
  try {
    url = await plotUrl(first, 'plot');
    assert.equal((await hello(url)).history, true, 'the page is told it can ask for history');
    await feed(await serverPort(first, 'src'), [...old, ...recent, ...b]);
    await waitUntil(
      async () => (await history(url, 'run')).body.scanned === old.length + recent.length + 5,
      'every record in the store',
      { timeoutMs: 15_000, detail: () => first.stderr },
    );
    const hour = await history(url, 'hour');
    assert.equal(hour.status, 200);
    assert.equal(hour.body.truncated, false);
    const [aHour, bHour] = hour.body.traces;
    assert.equal(aHour?.[0], 0);
    assert.deepEqual(
      aHour[1],
      recent.map((r) => Date.parse(r.timestamp)),
      'exactly the points of the last hour, oldest first, times exact',
    );
    assert.deepEqual(
      aHour[2],
      recent.map((r) => r.value),
    );
    assert.deepEqual(bHour?.[2], [1000, 1000.25, 1000.5, 1000.75, 1001]);
    assert.ok(Math.abs((hour.body.fromMs ?? 0) - (Date.now() - 60 * MINUTE)) < 60_000);

    const run = await history(url, 'run');
    assert.deepEqual(
      run.body.traces[0]?.[2],
      [...old, ...recent].map((r) => r.value),
      'this run: all 110 points of a, more than npoints (100) holds live',
    );
    // What the page holds live is not sent again: only what is older than `before`.
    const before = Date.parse(recent[50]?.timestamp ?? '');
    const older = await history(url, `hour&before=${before}`);
    assert.deepEqual(
      older.body.traces[0]?.[2],
      recent.slice(0, 50).map((r) => r.value),
    );
    assert.equal((await history(url, 'hour&before=soon')).status, 400);
  } finally {
    await first.stop();
  }

  // A second start on the same store: "this run" is the new run only, "last hour" both.
  const second = new DaemonProcess(['-g', graph(store, plot)], sandbox.env);
  try {
    url = await plotUrl(second, 'plot');
    // Newer than everything the first run stored (it stopped before this one started).
    const later = readings('a', 10, 50, 0, 500);
    await feed(await serverPort(second, 'src'), later);
    await waitUntil(
      async () => (await history(url, 'run')).body.scanned === later.length,
      'the new run in the store',
      { timeoutMs: 15_000, detail: () => second.stderr },
    );
    const run = await history(url, 'run');
    assert.deepEqual(
      run.body.traces.map(([index, , ys]) => [index, ys]),
      [[0, later.map((r) => r.value)]],
    );
    const hour = await history(url, 'hour');
    assert.deepEqual(
      hour.body.traces[0]?.[2],
      [...recent, ...later].map((r) => r.value),
      'the last hour spans both runs',
    );
    assert.equal((await history(url, 'week')).status, 400);
  } finally {
    await second.stop();
  }
  assert.doesNotMatch(second.stderr, /DATALOGD_ERR_PLOT_HISTORY_FAILED/);
});

test('a plot with no store offers no history; a store that cannot be read is reported, counted and said to the page', async () => {
  const missing = join(sandbox.dir, 'no-such-dir', 'gone.sqlite');
  const daemon = new DaemonProcess(
    [
      '-g',
      `digraph { a [class=NullDataSource]; none [class=LivePlotDataSink, port=0]; broken [class=LivePlotDataSink, port=0, history="${missing}"]; a -> none; a -> broken; }`,
    ],
    sandbox.env,
  );
  try {
    const noneUrl = await plotUrl(daemon, 'none');
    assert.equal((await hello(noneUrl)).history, false);
    assert.equal((await history(noneUrl, 'hour')).status, 404);

    const brokenUrl = await plotUrl(daemon, 'broken');
    assert.equal((await hello(brokenUrl)).history, true);
    const failed = await fetch(`${brokenUrl}history?range=hour`);
    assert.equal(failed.status, 500);
    const body = (await failed.json()) as { error: string };
    assert.ok(body.error.includes(missing), body.error);
    await daemon.waitForStderr(/\[broken\] \[DATALOGD_ERR_PLOT_HISTORY_FAILED\]/);
  } finally {
    await daemon.stop();
  }
  assert.match(daemon.stderr, /broken: .*plot_history_failed=1/);
});
