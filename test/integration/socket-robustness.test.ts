import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { printingServer, serverPort, socatRead, socatSend } from '../helpers/peers.js';
import { sleep, waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

test('an oversized message is discarded whole and the next one arrives intact', async () => {
  const { daemon, port } = await printingServer(sandbox.env, ', buffer_size=100');
  try {
    const big = JSON.stringify({ blob: 'x'.repeat(5000) });
    const socket = await openSocket(port);
    // The big message arrives over many writes, as it would from a slow link.
    for (let i = 0; i < big.length; i += 700) socket.write(big.slice(i, i + 700));
    socket.write('\x17{"after": "oversize"}\x17');
    await daemon.waitForStdoutLines(1);
    socket.write('{"still": "connected"}\x17');
    await daemon.waitForStdoutLines(2);
    assert.deepEqual(daemon.stdoutLines, ['{"after":"oversize"}', '{"still":"connected"}']);
    socket.destroy();
  } finally {
    await daemon.stop();
  }
  assert.match(
    daemon.stderr,
    /WARNING \[s\] \[DATALOGD_ERR_SOCKET_OVERSIZE\] .*127\.0\.0\.1:\d+.* 5011 bytes > buffer_size 100.* \(1 so far\)/,
  );
  assert.match(daemon.stderr, /dropped_oversize=1/);
});

test('invalid UTF-8 and invalid JSON are passed on with warnings, and the connection survives', async () => {
  const { daemon, port } = await printingServer(sandbox.env);
  try {
    const socket = await openSocket(port);
    socket.write(
      Buffer.concat([
        Buffer.from([0xff, 0xfe, 0x41, 0x17]),
        Buffer.from('{"broken": \x17{"ok": true}\x17'),
      ]),
    );
    await daemon.waitForStdoutLines(3);
    assert.deepEqual(daemon.stdoutLines, [
      '{"type":"Buffer","data":[255,254,65]}',
      '{"broken": ',
      '{"ok":true}',
    ]);
    socket.destroy();
  } finally {
    await daemon.stop();
  }
  assert.match(
    daemon.stderr,
    /WARNING \[s\] \[DATALOGD_ERR_SOCKET_UNDECODABLE\] .*127\.0\.0\.1:\d+/,
  );
  assert.match(daemon.stderr, /WARNING \[s\] \[DATALOGD_ERR_SOCKET_NOT_JSON\] .*127\.0\.0\.1:\d+/);
  assert.match(daemon.stderr, /undecodable=1 not_json=1/);
});

test('trailing bytes without a delimiter are processed when the peer closes', async () => {
  const { daemon, port } = await printingServer(sandbox.env);
  try {
    const socat = socatSend(port, Buffer.from('{"first": 1}\x17{"last": "no delimiter"}'));
    assert.equal(await socat.finished(), 0);
    await daemon.waitForStdoutLines(2);
    assert.deepEqual(daemon.stdoutLines, ['{"first":1}', '{"last":"no delimiter"}']);
  } finally {
    await daemon.stop();
  }
  assert.match(daemon.stderr, /s: messages_in=2 /);
  // Not a problem, so no code: an info line says what happened to the bytes.
  assert.match(daemon.stderr, /closed with 24 bytes after the last delimiter/);
});

test('max_connections: the connection past the limit is closed with a warning', async () => {
  const { daemon, port } = await printingServer(sandbox.env, ', max_connections=2');
  const sockets: Socket[] = [];
  try {
    sockets.push(await openSocket(port), await openSocket(port));
    await daemon.waitFor(
      () => (daemon.stderr.match(/Connection established/g) ?? []).length === 2,
      '2 connections',
    );
    const third = await openSocket(port);
    let closedByServer = false;
    third.once('close', () => {
      closedByServer = true;
    });
    await waitUntil(() => closedByServer, 'the third connection closed by the server', {
      timeoutMs: 3000,
    });
    sockets[0]?.write('{"from": "first"}\x17');
    await daemon.waitForStdoutLines(1);
    assert.equal(daemon.stdoutLines[0], '{"from":"first"}');
  } finally {
    for (const s of sockets) s.destroy();
    await daemon.stop();
  }
  assert.match(
    daemon.stderr,
    /WARNING \[s\] \[DATALOGD_ERR_SOCKET_MAX_CONNECTIONS\] .*127\.0\.0\.1:\d+.*max_connections \(2\)/,
  );
  assert.match(daemon.stderr, /connections_refused=1/);
});

test('three clients on one server each receive every message, correctly framed', async () => {
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.02];
    s [class=SocketDataFilter, port=0];
    beat -> s;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const port = await serverPort(daemon, 's');
  const readers = [socatRead(port), socatRead(port), socatRead(port)];
  try {
    await daemon.waitFor(
      () => (daemon.stderr.match(/Connection established/g) ?? []).length === 3,
      '3 clients',
    );
    await sleep(800);
  } finally {
    await daemon.stop();
  }
  const counts: number[] = [];
  for (const reader of readers) {
    await reader.finished();
    const messages = reader.output.toString('utf8').split('\x17');
    assert.equal(messages.pop(), '', 'the stream ends with a delimiter');
    const values = messages.map((m) => (JSON.parse(m) as { value: number }[])[0]?.value ?? NaN);
    // Consecutive counter values: nothing run together, nothing lost.
    values.forEach((v, i) => {
      assert.equal(v, (values[0] as number) + i);
    });
    counts.push(values.length);
  }
  assert.ok(Math.min(...counts) >= 20, `each reader got many messages: ${counts.join(', ')}`);
});
