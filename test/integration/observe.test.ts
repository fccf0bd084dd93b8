import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parsePrometheusText, samplesOf, type Exposition } from '../../src/io/prometheus-text.js';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';
import { freePort, Peer } from '../helpers/peers.js';
import { FakeBoard, PtyPair } from '../helpers/serial-pty.js';
import { pythonLock } from '../helpers/stores.js';
import { sleep, waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

/** A daemon serving metrics, health and tap on a free loopback port. */
async function observedDaemon(
  graph: string,
  extra: readonly string[] = [],
): Promise<{ daemon: DaemonProcess; base: string }> {
  const port = await freePort();
  const daemon = new DaemonProcess(['--http', String(port), '-g', graph, ...extra], sandbox.env);
  await daemon.waitForStderr(/\[http\] Metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
  return { daemon, base: `http://127.0.0.1:${port}` };
}

async function scrape(base: string): Promise<Exposition> {
  const response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

function value(metrics: Exposition, name: string, labels: Record<string, string>): number {
  const found = samplesOf(metrics, name, labels);
  assert.equal(found.length, 1, `one ${name} sample for ${JSON.stringify(labels)}`);
  return (found[0] as { value: number }).value;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

test('/metrics: node and class labels, counters that move as records flow, process metrics', async () => {
  const { daemon, base } = await observedDaemon(`digraph {
    beat [class=HeartbeatDataSource, interval=0.02];
    c [class=SocketDataFilter, role=client, port=9, reconnect_min=0.05, reconnect_max=0.1, queue_size=10];
    p [class=NullDataSink];
    beat -> p; beat -> c;
  }`);
  try {
    await sleep(300);
    const first = await scrape(base);
    await sleep(500);
    const second = await scrape(base);
    const beat = { node: 'beat', class: 'HeartbeatDataSource' };
    const p = { node: 'p', class: 'NullDataSink' };
    const out1 = value(first, 'datalogd_node_records_out_total', beat);
    const out2 = value(second, 'datalogd_node_records_out_total', beat);
    assert.ok(out1 > 0 && out2 > out1, `records out moved: ${out1} then ${out2}`);
    assert.equal(value(second, 'datalogd_node_sends_total', beat), out2, 'one record a beat');
    const in2 = value(second, 'datalogd_node_records_in_total', p);
    assert.equal(in2, out2, 'what p received is what beat sent, read in the same scrape');
    assert.equal(first.types.get('datalogd_node_records_out_total'), 'counter');
    assert.equal(first.types.get('datalogd_node_gauge'), 'gauge');
    // The client has no server: it queues (queue_size 10), drops the oldest and is down.
    const c = { node: 'c', class: 'SocketDataFilter' };
    assert.equal(value(second, 'datalogd_node_up', c), 0);
    assert.equal(value(second, 'datalogd_node_up', beat), 1);
    assert.equal(value(second, 'datalogd_node_gauge', { ...c, gauge: 'queued_messages' }), 10);
    const dropped = value(second, 'datalogd_node_events_total', {
      ...c,
      code: 'DATALOGD_ERR_SOCKET_QUEUE_FULL',
    });
    assert.ok(dropped > 0, `drops counted by code: ${dropped}`);
    const failures = value(second, 'datalogd_node_events_total', {
      ...c,
      code: 'DATALOGD_ERR_SOCKET_CONNECT',
      counter: 'connect_failures',
    });
    assert.ok(failures >= 2, `connect failures counted: ${failures}`);
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles_total',
    ]) {
      assert.ok(samplesOf(second, name).length > 0, `${name} is published`);
    }
    assert.equal(samplesOf(second, 'datalogd_info').length, 1);
  } finally {
    // The client's queue never reached a server: given up at the stop, which is not clean.
    assert.equal(await daemon.stop(), 3);
  }
  // The shutdown stats line and the metrics read the same counters.
  assert.match(daemon.stderr, /\[datalogd\] c: .*dropped_queue_full=\d+/);
});

test('/health goes 503 naming the client when its server stops, and 200 when it returns', async () => {
  const port = await freePort();
  const serve = (): Peer =>
    new Peer('socat', ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'OPEN:/dev/null']);
  let server = serve();
  const { daemon, base } = await observedDaemon(`digraph {
    beat [class=HeartbeatDataSource, interval=0.05];
    c [class=SocketDataFilter, role=client, port=${port}, reconnect_min=0.05, reconnect_max=0.2];
    beat -> c;
  }`);
  const health = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    await waitUntil(async () => (await health()).status === 200, 'health 200 while connected');
    assert.deepEqual((await health()).body, { status: 'ok', nodes: 2, failing: [] });

    const stoppedAt = Date.now();
    await server.stop();
    await waitUntil(
      async () => (await health()).status === 503,
      'health 503 once the server is gone',
    );
    const down = await health();
    assert.equal(down.body.status, 'failing');
    const failing = down.body.failing as Record<string, string>[];
    assert.equal(failing.length, 1);
    const [c = {}] = failing;
    assert.equal(c.node, 'c');
    assert.equal(c.class, 'SocketDataFilter');
    const since = Date.parse(c.since ?? '');
    assert.ok(since >= stoppedAt - 1000 && since <= Date.now(), `since ${c.since}`);
    assert.match(c.detail ?? '', /127\.0\.0\.1:\d+/);

    server = serve();
    await waitUntil(async () => (await health()).status === 200, 'health 200 once it is back', {
      timeoutMs: 15_000,
    });
    const metrics = await scrape(base);
    const reconnects = value(metrics, 'datalogd_node_reconnects_total', {
      node: 'c',
      class: 'SocketDataFilter',
    });
    assert.ok(reconnects >= 1, `the comeback is counted as a reconnect: ${reconnects}`);
  } finally {
    assert.equal(await daemon.stop(), 0);
    await server.stop();
  }
});

test('/health names a database sink while its writes fail (SQLite locked by Python), and clears after', async () => {
  const db = join(sandbox.dir, 'health.db');
  const { daemon, base } = await observedDaemon(`digraph {
    walk [class=RandomWalkDataSource, interval=0.01];
    db [class=SQLiteDataSink, filename="${db}", flush_interval=0.05, batch_size=10,
        busy_timeout=0.02, retry_min=0.05, retry_max=0.2];
    walk -> db;
  }`);
  const health = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    await daemon.waitForStderr(/\[db\] Writing to /);
    await waitUntil(async () => (await health()).status === 200, 'health 200 while writing');
    const locker = await pythonLock(db, 2);
    await waitUntil(async () => (await health()).status === 503, 'health 503 while locked');
    const [failing = {}] = (await health()).body.failing as Record<string, string>[];
    assert.equal(failing.node, 'db');
    assert.equal(failing.class, 'SQLiteDataSink');
    assert.match(failing.detail ?? '', /cannot write to .*health\.db: the database is locked/);
    assert.equal(await locker.finished(), 0, locker.stderr);
    await waitUntil(async () => (await health()).status === 200, 'health 200 once unlocked');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('/health names a serial source until its board is found, and again when it is unplugged', async () => {
  const host = join(sandbox.dir, 'health-host');
  const { daemon, base } = await observedDaemon(`digraph {
    board [class=SerialDataSource, port="${host}", reconnect_min=0.05, reconnect_max=0.3, probe_timeout=0.5];
    p [class=NullDataSink];
    board -> p;
  }`);
  const failing = async (): Promise<Record<string, string>[]> => {
    const response = await fetch(`${base}/health`);
    const body = (await response.json()) as { failing: Record<string, string>[] };
    assert.equal(response.status, body.failing.length === 0 ? 200 : 503);
    return body.failing;
  };
  let pty: PtyPair | undefined;
  let board: FakeBoard | undefined;
  try {
    await waitUntil(
      async () => (await failing())[0]?.detail?.includes('no logging board found') === true,
      'no board yet',
    );
    assert.equal((await failing())[0]?.node, 'board');
    pty = await PtyPair.start(sandbox.dir, 'health-board', 'health-host');
    board = new FakeBoard({ port: pty.boardPath, rate: 20 });
    await waitUntil(async () => (await failing()).length === 0, 'health 200 with the board', {
      timeoutMs: 15_000,
    });
    await board.stop();
    await pty.stop();
    await waitUntil(
      async () => /lost board "A"|no logging board found/.test((await failing())[0]?.detail ?? ''),
      'the board lost',
    );
  } finally {
    assert.equal(await daemon.stop(), 0);
    await board?.stop();
    await pty?.stop();
  }
});

test('datalogd tap prints exactly what the node sends, one record per line', async () => {
  const port = await freePort();
  const { daemon } = await observedDaemon(`digraph {
    s [class=SocketDataFilter, port=${port}];
    p [class=NullDataSink];
    s -> p;
  }`);
  const httpPort = /Metrics at http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.stderr)?.[1] ?? '';
  const tap = new DaemonProcess(['tap', 's', '--http', `127.0.0.1:${httpPort}`], sandbox.env);
  try {
    await tap.waitForStderr(/Tapping s \(SocketDataFilter\)/);
    const sent = Array.from({ length: 50 }, (_, i) => [
      { type: 'analog', id: `A${i}`, value: i * 0.5, units: 'V', note: 'ünïcödé "quoted"' },
      { type: 'digital', id: `D${i}`, value: i % 2 === 0, extra: { nested: [i, null] } },
    ]);
    const payload = Buffer.from(sent.map((m) => `${JSON.stringify(m)}\x17`).join(''));
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.end(payload, resolve);
      });
      socket.on('error', reject);
    });
    await tap.waitForStdoutLines(100);
    await sleep(200);
    assert.deepEqual(
      tap.stdoutLines.map((line) => JSON.parse(line) as unknown),
      sent.flat(),
      'every record, in order, nothing more',
    );
  } finally {
    await tap.stop();
    assert.equal(await daemon.stop(), 0);
  }
});

/** Writes `mib` MiB to a loopback port in messages of 10 kB; returns how many messages. */
async function blast(port: number, mib: number): Promise<number> {
  const record = JSON.stringify([{ type: 'blob', id: 'x', value: 'x'.repeat(10_000) }]);
  const chunk = Buffer.from(`${record}\x17`.repeat(100));
  const chunks = Math.ceil((mib * 1024 * 1024) / chunk.length);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      let i = 0;
      const pump = (): void => {
        while (i < chunks) {
          i += 1;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end(resolve);
      };
      pump();
    });
    socket.on('error', reject);
  });
  return chunks * 100;
}

test('a tap watcher that never reads keeps the daemon bounded; what it missed is counted and told', async () => {
  const port = await freePort();
  const { daemon, base } = await observedDaemon(`digraph {
    s [class=SocketDataFilter, port=${port}];
    p [class=NullDataSink];
    s -> p;
  }`);
  const pid = daemon.child.pid as number;
  const through = async (count: number): Promise<void> => {
    await waitUntil(
      async () =>
        value(await scrape(base), 'datalogd_node_records_in_total', {
          node: 'p',
          class: 'NullDataSink',
        }) === count,
      `all ${count} messages through the daemon`,
      { timeoutMs: 60_000 },
    );
  };
  // The same volume with no watcher first: what the daemon's heap does with it anyway.
  const unwatched = await blast(port, 200);
  await through(unwatched);
  const rssUnwatched = rssMiB(pid);

  // A raw HTTP client that asks for the tap and then reads nothing.
  const url = new URL(base);
  const watcher = net.connect({ host: url.hostname, port: Number(url.port) });
  watcher.write(`GET /tap/s HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  watcher.pause();
  try {
    await waitUntil(
      async () => value(await scrape(base), 'datalogd_tap_watchers', {}) === 1,
      'the watcher to be connected',
    );
    // Three times the volume: a watcher that kept what it missed would hold 600 MiB.
    let offered = 0;
    for (let round = 0; round < 3; round++) {
      offered += await blast(port, 200);
      await through(unwatched + offered);
    }
    const rssWatched = rssMiB(pid);
    const metrics = await scrape(base);
    const missed = value(metrics, 'datalogd_tap_missed_total', { node: 's' });
    assert.ok(missed > offered / 2, `most of the ${offered} messages were missed: ${missed}`);
    // Its queue holds 1 MiB and its response 256 kB; what stringifying for it leaves to the
    // garbage collector measured 50 to 80 MiB here, whatever the volume.
    assert.ok(
      rssWatched - rssUnwatched < 200,
      `RSS ${rssUnwatched.toFixed(1)} MiB after 200 MiB unwatched, ${rssWatched.toFixed(1)} MiB after 600 MiB more past a watcher that read nothing`,
    );
    const full = value(metrics, 'datalogd_web_events_total', {
      code: 'DATALOGD_ERR_WEB_QUEUE_FULL',
    });
    assert.equal(full, missed);
    assert.match(
      daemon.stderr,
      /\[DATALOGD_ERR_WEB_QUEUE_FULL\] a tap watcher of "s" reads too slowly/,
    );

    // Once it reads again it is told, where the gap is, how many it missed.
    const note = /event: missed\ndata: \{"missed":(\d+)\}/;
    let tail = '';
    let told = 0;
    watcher.setEncoding('utf8');
    watcher.on('data', (data: string) => {
      const text = tail + data;
      const found = note.exec(text);
      if (found !== null && told === 0) told = Number(found[1]);
      tail = text.slice(-100);
    });
    watcher.resume();
    await waitUntil(() => told > 0, 'a missed note');
    assert.ok(told > 0 && told <= missed, `the note says ${told} of ${missed}`);
  } finally {
    watcher.destroy();
    assert.equal(await daemon.stop(), 0);
  }
});

test('a status line every status_interval, from [datalogd] in a config file', async () => {
  const conf = join(sandbox.dir, 'status.conf');
  await writeFile(
    conf,
    `[datalogd]
status_interval = 0.3
connection_graph =
    digraph {
      beat [class=HeartbeatDataSource, interval=0.05];
      c [class=SocketDataFilter, role=client, port=9, reconnect_min=0.05, reconnect_max=0.1];
      p [class=NullDataSink];
      beat -> p; beat -> c;
    }
`,
  );
  const daemon = new DaemonProcess(['-c', conf], sandbox.env);
  try {
    await daemon.waitFor(
      () => daemon.stderrLines.filter((l) => l.includes('INFO [datalogd] Status:')).length >= 3,
      'three status lines',
    );
  } finally {
    // The client's queue never reached a server: given up at the stop, which is not clean.
    assert.equal(await daemon.stop(), 3);
  }
  const lines = daemon.stderrLines.filter((l) => l.includes('INFO [datalogd] Status:'));
  const last = lines.at(-1) ?? '';
  assert.match(last, /Status: 3 nodes, 1 not running; beat out=\d+ \(\+\d+\); c in=\d+/);
  assert.match(
    last,
    /c in=\d+ \(\+\d+\) out=0 \(\+0\) DOWN for \d+ s \(cannot connect to 127\.0\.0\.1:9/,
  );
  assert.match(last, /connect_failures=\d+ queued_messages=\d+/);
  const outs = lines.map((l) => Number(/beat out=(\d+)/.exec(l)?.[1]));
  assert.ok(
    outs.every((n, i) => i === 0 || n > (outs[i - 1] as number)),
    `out grows: ${outs.join(', ')}`,
  );
});

test('bad [datalogd] values stop the daemon, naming the file, line and key', async () => {
  const conf = join(sandbox.dir, 'bad.conf');
  await writeFile(
    conf,
    `[datalogd]
status_interval = -1
http = localhost:99999
connection_graph = digraph { p [class=NullDataSink]; }
`,
  );
  const { code, stderr } = await runDaemon(['-c', conf], sandbox.env);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /\[DATALOGD_ERR_CONFIG_VALUE\] .*bad\.conf:2: \[datalogd\] status_interval: "-1"/,
  );
  assert.match(
    stderr,
    /\[DATALOGD_ERR_CONFIG_VALUE\] .*bad\.conf:3: \[datalogd\] http: "localhost:99999"/,
  );
  const flag = await runDaemon(
    ['--http', 'nope', '-g', 'digraph { p [class=NullDataSink]; }'],
    sandbox.env,
  );
  assert.equal(flag.code, 1);
  assert.match(
    flag.stderr,
    /\[DATALOGD_ERR_CONFIG_VALUE\] --http: http: "nope" is not \[HOST:\]PORT/,
  );
});

test('datalogd top --once prints every node with its counts and rates', async () => {
  const { daemon, base } = await observedDaemon(`digraph {
    beat [class=HeartbeatDataSource, interval=0.02];
    c [class=SocketDataFilter, role=client, port=9, reconnect_min=0.05, reconnect_max=0.1];
    p [class=NullDataSink];
    beat -> p; beat -> c;
  }`);
  try {
    const top = await runDaemon(
      ['top', '--once', '--interval', '0.5', '--http', new URL(base).host],
      sandbox.env,
    );
    assert.equal(top.code, 0, top.stderr);
    const lines = top.stdout.split('\n');
    assert.match(
      lines[1] ?? '',
      /^NODE\s+CLASS\s+STATE\s+IN\s+IN\/s\s+OUT\s+OUT\/s\s+EVENTS\s+DETAIL$/,
    );
    const row = (node: string): string[] =>
      (lines.find((l) => l.startsWith(`${node} `)) ?? '').split(/\s+/);
    const beat = row('beat');
    assert.equal(beat[1], 'HeartbeatDataSource');
    assert.equal(beat[2], 'up');
    const rate = Number(beat[4]);
    assert.ok(rate > 5 && rate < 200, `beat sends about 50 a second: ${beat.join(' ')}`);
    const c = row('c');
    assert.equal(c[2], 'DOWN');
    assert.ok(
      c.some((cell) => /^connect_failures=\d+$/.test(cell)),
      c.join(' '),
    );
    assert.equal(row('p')[1], 'NullDataSink');
  } finally {
    // The client's queue never reached a server: given up at the stop, which is not clean.
    assert.equal(await daemon.stop(), 3);
  }
  const unreachable = await runDaemon(['top', '--once', '--http', '127.0.0.1:9'], sandbox.env);
  assert.equal(unreachable.code, 1);
  assert.match(
    unreachable.stderr,
    /datalogd top: http:\/\/127\.0\.0\.1:9\/metrics: .*ECONNREFUSED/,
  );
});

test('a token from http_token_env guards every route; tap and top send it from the same config', async () => {
  const port = await freePort();
  const conf = join(sandbox.dir, 'token.conf');
  await writeFile(
    conf,
    `[datalogd]
http = 127.0.0.1:${port}
http_token_env = OBSERVE_TEST_TOKEN
status_interval = 0
connection_graph = digraph { beat [class=HeartbeatDataSource, interval=0.05]; p [class=NullDataSink]; beat -> p; }
`,
  );
  const env = { ...sandbox.env, OBSERVE_TEST_TOKEN: 'lab-secret' };
  const daemon = new DaemonProcess(['-c', conf], env);
  try {
    await daemon.waitForStderr(/\[http\] Metrics at /);
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/metrics', '/health', '/tap/beat']) {
      assert.equal((await fetch(`${base}${path}`)).status, 401, `${path} without the token`);
    }
    const authorised = await fetch(`${base}/health`, {
      headers: { Authorization: 'Bearer lab-secret' },
    });
    assert.equal(authorised.status, 200);
    const top = await runDaemon(['top', '--once', '--interval', '0.3', '-c', conf], env);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /^beat\s+HeartbeatDataSource\s+up/m);
    const tap = await runDaemon(['-c', conf, 'tap', 'beat', '--count', '2'], env);
    assert.equal(tap.code, 0, tap.stderr);
    assert.equal(tap.stdout.trim().split('\n').length, 2);
    const refused = await runDaemon(['top', '--once', '--http', `127.0.0.1:${port}`], sandbox.env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /answered 401/);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
  assert.doesNotMatch(daemon.stderr, /lab-secret/, 'the token is never logged');
});
