import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { pyPeer, pyServer, serverPort, socatSend } from '../helpers/peers.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('connection framing, receiving: each connection carries one message', async () => {
  const graph = `digraph { s [class=SocketDataFilter, port=0, message_delimiter=None]; p [class=PrintDataSink]; s -> p; }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const port = await serverPort(daemon, 's');
  try {
    // A 0x17 inside means nothing in this mode: the whole connection is the message.
    assert.equal(
      await socatSend(port, Buffer.from('{"one": "\\u0017 not a delimiter"}')).finished(),
      0,
    );
    const py = pyPeer([
      'send',
      '--port',
      String(port),
      '--delimiter',
      'none',
      '{"two": 2}',
      '{"three": 3}',
    ]);
    assert.equal(await py.finished(), 0, py.stderr);
    await daemon.waitForStdoutLines(3);
    assert.deepEqual(daemon.stdoutLines, [
      '{"one":"\\u0017 not a delimiter"}',
      '{"two":2}',
      '{"three":3}',
    ]);
  } finally {
    await daemon.stop();
  }
});

test('connection framing, client sending: one connection per message, in order', async () => {
  const { peer, port } = await pyServer(['--delimiter', 'none']);
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.05];
    c [class=SocketDataFilter, role=client, port=${port}, message_delimiter=None];
    beat -> c;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await peer.waitForLines(8);
  } finally {
    await daemon.stop();
    await peer.stop();
  }
  // The python server prints each connection's message, then EOF when that connection ends.
  const lines = peer.lines.slice(0, 8);
  for (let i = 0; i < 4; i++) {
    assert.equal(lines[2 * i], `[{"id": "heartbeat", "type": "config", "value": ${i + 1}}]`);
    assert.equal(lines[2 * i + 1], 'EOF');
  }
});

test('connection framing, server sending: each client connection gets one message', async () => {
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.05];
    s [class=SocketDataFilter, port=0, message_delimiter=None];
    beat -> s;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const port = await serverPort(daemon, 's');
  try {
    const reader = pyPeer(['read', '--port', String(port), '--delimiter', 'none', '--count', '3']);
    assert.equal(await reader.finished(), 0, reader.stderr);
    assert.equal(reader.lines.length, 3);
    const values = reader.lines.map((l) => (JSON.parse(l) as { value: number }[])[0]?.value ?? NaN);
    assert.ok(
      values.every((v, i) => i === 0 || v > (values[i - 1] as number)),
      values.join(),
    );
  } finally {
    await daemon.stop();
  }
});
