import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { serverPort } from '../helpers/peers.js';
import { sleep, waitUntil } from '../helpers/wait.js';

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

/** Relays `message` (UTF-8 bytes) through `in -> out` and returns what a reader of `out` got. */
async function relayOnce(outAttributes: string, message: Buffer): Promise<Buffer> {
  const graph = `digraph { in [class=SocketDataFilter, port=0]; out [class=SocketDataFilter, port=0${outAttributes}]; in -> out; }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    const feeder = await open(await serverPort(daemon, 'in'));
    const reader = await open(await serverPort(daemon, 'out'));
    const received: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => received.push(chunk));
    // Accepted once the daemon says so (a connect completes before the accept runs).
    await daemon.waitForStderr(/\[out\] Connection established/);
    feeder.write(message);
    await waitUntil(() => Buffer.concat(received).includes(0x17), 'the relayed frame');
    await sleep(100);
    feeder.destroy();
    reader.destroy();
    return Buffer.concat(received);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
}

test('a 19-digit nanosecond timestamp is relayed byte for byte', async () => {
  const message = Buffer.from(
    '[{"type":"t","id":"ns","value":1,"timestamp":1733140000123456789}]\x17',
  );
  const relayed = await relayOnce('', message);
  assert.equal(relayed.toString('utf8'), message.toString('utf8'));
  assert.ok(relayed.equals(message), 'identical bytes, not 1733140000123456800');
});

test('utf-16: U+4E17, whose bytes hold the delimiter, is sent escaped, the bytes Python sends', async () => {
  const relayed = await relayOnce(', message_encoding="utf-16"', Buffer.from('["\u4e17"]\x17'));
  const python = execFileSync('python3', [
    '-c',
    'import json, sys; sys.stdout.buffer.write(json.dumps(["\\u4e17"]).encode("utf-16") + b"\\x17")',
  ]);
  assert.equal(relayed.indexOf(0x17), relayed.length - 1, 'the delimiter only at the end');
  assert.ok(
    relayed.equals(python),
    `sent ${relayed.toString('hex')}, Python sends ${python.toString('hex')}`,
  );
});

test('a delimiter written with backslash escapes gets a hint; the spelling both sides share does not', async () => {
  const start = async (delimiter: string): Promise<string> => {
    const graph = `digraph { s [class=SocketDataFilter, port=0, message_delimiter=${delimiter}]; }`;
    const daemon = new DaemonProcess(['-g', graph], sandbox.env);
    await serverPort(daemon, 's');
    assert.equal(await daemon.stop(), 0);
    return daemon.stderr;
  };
  const escaped = await start('"\\n"');
  assert.match(escaped, /INFO \[s\] message_delimiter "\\n" was written with backslash escapes/);
  assert.equal(escaped.match(/written with backslash escapes/g)?.length, 1, 'once');
  const shared = await start(`"'\\n'"`);
  assert.doesNotMatch(shared, /backslash escapes/);
});
