import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { Peer, serverPort } from '../helpers/peers.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The counters of node `name` in the status line logged at stop (zeros are left out). */
function statsOf(stderr: string, name: string): Record<string, number> {
  const line = new RegExp(`\\] ${name}: (.*)$`, 'm').exec(stderr)?.[1] ?? '';
  return Object.fromEntries(
    [...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

function frames(from: number, to: number): Buffer {
  let text = '';
  for (let seq = from; seq <= to; seq++) text += `{"seq":${seq},"pad":"${'p'.repeat(60)}"}\x17`;
  return Buffer.from(text);
}

/** A daemon whose client node `c` sends to `port` what the test writes to its server `in`. */
async function relayClient(
  port: number,
  attributes = '',
): Promise<{ daemon: DaemonProcess; feed: Socket }> {
  const graph = `digraph {
    in [class=SocketDataFilter, port=0];
    c [class=SocketDataFilter, role=client, port=${port}, reconnect_min=0.05, reconnect_max=0.2${attributes}];
    in -> c;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const feed = await open(await serverPort(daemon, 'in'));
  return { daemon, feed };
}

function seqs(lines: readonly string[]): number[] {
  return lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
}

test('a client refused by a full server (accepted, then closed) keeps every message until a connection is kept', async () => {
  const server = new DaemonProcess(
    [
      '-g',
      'digraph { s [class=SocketDataFilter, port=0, max_connections=1]; p [class=PrintDataSink]; s -> p; }',
    ],
    sandbox.env,
  );
  const port = await serverPort(server, 's');
  const blocker = await open(port);
  await server.waitForStderr(/\[s\] Connection established/);
  const { daemon: client, feed } = await relayClient(port);
  try {
    // 768 messages while every connection the client makes is accepted and closed at once.
    feed.write(frames(1, 768));
    await server.waitForStderr(/\[DATALOGD_ERR_SOCKET_MAX_CONNECTIONS\] .*\(3 so far\)/);
    await sleep(500);
    assert.equal(server.stdoutLines.length, 0, 'nothing reached the server while it was full');
    blocker.destroy();
    await server.waitForStdoutLines(768, 15_000);
    await sleep(300);
  } finally {
    feed.destroy();
    assert.equal(await client.stop(), 0);
    assert.equal(await server.stop(), 0);
  }
  assert.deepEqual(
    seqs(server.stdoutLines),
    Array.from({ length: 768 }, (_, i) => i + 1),
    'all 768 messages arrived once, in order (before: 349 of 768 lost)',
  );
  const c = statsOf(client.stderr, 'c');
  const s = statsOf(server.stderr, 's');
  assert.ok((s.connections_refused ?? 0) >= 2, `the server refused ${s.connections_refused} times`);
  assert.ok((c.connect_failures ?? 0) >= 2, 'each refusal counts as a failed attempt');
  assert.equal(c.messages_out, 768);
  assert.equal(c.lost_in_flight, undefined, 'nothing was lost in flight');
  assert.match(
    client.stderr,
    /WARNING \[c\] \[DATALOGD_ERR_SOCKET_CONNECT\] .*closed the connection within 250 ms .*stay queued/,
  );
});

const SLOW_SERVER = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('127.0.0.1', 0))
s.listen()
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
print('accepted', flush=True)
time.sleep(120)
`;

test('when a slow server dies, what was inside the socket is counted as lost in flight and the rest goes to the next server', async () => {
  const slow = new Peer('python3', ['-c', SLOW_SERVER]);
  await slow.waitForLines(1);
  const port = Number(slow.lines[0]);
  const total = 300_000;
  const { daemon: client, feed } = await relayClient(port, ', queue_size=400000');
  let next: DaemonProcess | undefined;
  try {
    await slow.waitForLines(2);
    feed.write(frames(1, total));
    // The server reads nothing: its kernel buffers fill, then the client's queue holds the rest.
    await sleep(2000);
    slow.child.kill('SIGKILL');
    await slow.exited;
    next = new DaemonProcess(
      [
        '-g',
        `digraph { s [class=SocketDataFilter, port=${port}]; p [class=PrintDataSink, buffer_bytes=67108864]; s -> p; }`,
      ],
      sandbox.env,
    );
    await next.waitFor(
      () =>
        next !== undefined &&
        next.stdoutLines.length > 0 &&
        seqs(next.stdoutLines.slice(-1))[0] === total,
      'the last message at the next server',
      30_000,
    );
  } finally {
    feed.destroy();
    assert.equal(await client.stop(), 0);
    if (next !== undefined) assert.equal(await next.stop(), 0);
  }
  const received = seqs(next.stdoutLines);
  const first = received[0] ?? NaN;
  assert.deepEqual(
    received,
    Array.from({ length: total - first + 1 }, (_, i) => first + i),
    'the next server got a gapless run up to the last message',
  );
  const c = statsOf(client.stderr, 'c');
  const lost = c.lost_in_flight ?? 0;
  assert.ok(
    lost > 0,
    `messages inside the client's socket when the server died are counted: ${lost}`,
  );
  assert.ok(
    first - 1 >= lost,
    `${first - 1} messages went to the dead server, ${lost} of them counted as lost in flight, the rest were in its kernel buffers`,
  );
  assert.ok(
    total - first + 1 > total / 2,
    `most messages (${total - first + 1}) were still queued and delivered`,
  );
  assert.match(client.stderr, /WARNING \[c\] \[DATALOGD_ERR_SOCKET_LOST_IN_FLIGHT\] .*are lost/);
});
