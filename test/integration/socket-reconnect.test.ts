import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';
import { freePort } from '../helpers/peers.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function counterValues(lines: readonly string[]): number[] {
  return lines.map((l) => (JSON.parse(l) as { value: number }[])[0]?.value ?? NaN);
}

test('a client started before its server, and a server restarted, lose no message', async () => {
  const port = await freePort();
  const clientGraph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.02];
    c [class=SocketDataFilter, role=client, port=${port}, reconnect_min=0.05, reconnect_max=0.2];
    beat -> c;
  }`;
  const serverGraph = `digraph { s [class=SocketDataFilter, port=${port}]; p [class=PrintDataSink]; s -> p; }`;
  const client = new DaemonProcess(['-g', clientGraph], sandbox.env);
  const received: number[] = [];
  try {
    await client.waitForStderr(/\[DATALOGD_ERR_SOCKET_CONNECT\] .*127\.0\.0\.1:\d+/);
    await sleep(300);

    const first = new DaemonProcess(['-g', serverGraph], sandbox.env);
    await first.waitForStdoutLines(30);
    assert.equal(await first.stop(), 0);
    received.push(...counterValues(first.stdoutLines));
    assert.equal(
      received[0],
      1,
      'the beats sent before the server existed were queued, from the first',
    );

    await sleep(300);
    const second = new DaemonProcess(['-g', serverGraph], sandbox.env);
    await second.waitForStdoutLines(30);
    assert.equal(await second.stop(), 0);
    received.push(...counterValues(second.stdoutLines));
  } finally {
    // Its server is gone: beats queued since then (if one fell due) are given up at the
    // stop, which then says so in its exit status.
    const code = await client.stop();
    const givenUp = /dropped_at_close=(\d+)/.exec(client.stderr)?.[1];
    assert.equal(code, givenUp === undefined ? 0 : 3, client.stderr);
  }
  // Every heartbeat from 1 to the last one received arrived exactly once, in order.
  assert.deepEqual(
    received,
    Array.from({ length: received.length }, (_, i) => i + 1),
  );
  const warnings = client.stderrLines.filter((l) =>
    l.includes('[DATALOGD_ERR_SOCKET_CONNECT]'),
  ).length;
  // Three outages (before the first server, after each stop): one warning each, however many retries.
  assert.equal(warnings, 3, `one warning per outage, saw ${warnings}`);
  const attempts = Number(/c: .*connect_failures=(\d+)/.exec(client.stderr)?.[1]);
  assert.ok(attempts >= 3, `every failed attempt is counted: ${attempts}`);
});

test('queue_size bounds what is kept while disconnected; the oldest are dropped and counted', async () => {
  const port = await freePort();
  const clientGraph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.01];
    c [class=SocketDataFilter, role=client, port=${port}, queue_size=5, reconnect_min=0.05, reconnect_max=0.1];
    beat -> c;
  }`;
  const client = new DaemonProcess(['-g', clientGraph], sandbox.env);
  await client.waitForStderr(/WARNING \[c\] \[DATALOGD_ERR_SOCKET_QUEUE_FULL\]/);
  const server = new DaemonProcess(
    [
      '-g',
      `digraph { s [class=SocketDataFilter, port=${port}]; p [class=PrintDataSink]; s -> p; }`,
    ],
    sandbox.env,
  );
  await server.waitForStdoutLines(10);
  await client.stop();
  await server.stop();
  const values = counterValues(server.stdoutLines);
  assert.ok((values[0] as number) > 5, 'the oldest beats were dropped');
  values.forEach((v, i) => {
    assert.equal(v, (values[0] as number) + i, 'what was kept arrives in order, without gaps');
  });
  assert.match(client.stderr, /c: .*dropped_queue_full=\d+/);
});

test('reconnect_min above reconnect_max is a configuration error naming the line, node and option', async () => {
  const graph = `digraph {
    c [class=SocketDataFilter, role=client, reconnect_min=2, reconnect_max=1];
  }`;
  const { code, stderr } = await runDaemon(['-g', graph], sandbox.env);
  assert.equal(code, 1);
  assert.match(stderr, /DATALOGD_ERR_OPTION_TYPE.*line 2.*"c".*reconnect_min.*reconnect_max \(1\)/);
  assert.doesNotMatch(stderr, /Starting event loop/);
});
