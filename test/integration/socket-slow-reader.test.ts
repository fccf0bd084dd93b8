import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { serverPort } from '../helpers/peers.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

const OFFERED_BYTES = 200 * 1024 * 1024;
const TIME_LIMIT_MS = 30_000;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) / 1024;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

test('a reader that never reads cannot grow the daemon, which keeps serving other clients', async () => {
  const graph = `digraph {
    in [class=SocketDataFilter, port=0];
    out [class=SocketDataFilter, port=0];
    in -> out;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const inPort = await serverPort(daemon, 'in');
  const outPort = await serverPort(daemon, 'out');
  const pid = daemon.child.pid as number;

  const stalled = await open(outPort);
  stalled.pause();
  const reader = await open(outPort);
  let readerBytes = 0;
  reader.on('data', (chunk: Buffer) => {
    readerBytes += chunk.length;
  });

  const record =
    JSON.stringify([{ type: 'analog', id: 'load', value: 123.456, pad: 'x'.repeat(40) }]) + '\x17';
  const batch = Buffer.from(record.repeat(1000));
  const producer = await open(inPort);
  let offered = 0;
  let peakRss = rssMiB(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB(pid));
  }, 50);
  const started = Date.now();
  try {
    while (offered < OFFERED_BYTES && Date.now() - started < TIME_LIMIT_MS) {
      offered += batch.length;
      if (!producer.write(batch)) {
        await new Promise((resolve) => producer.once('drain', resolve));
      }
    }
    await sleep(500);
  } finally {
    clearInterval(sampler);
    producer.destroy();
  }
  const readerBytesWhileStalled = readerBytes;
  stalled.destroy();
  reader.destroy();
  assert.equal(await daemon.stop(), 0);

  assert.ok(offered >= 50 * 1024 * 1024, `offered ${offered} bytes within the time limit`);
  assert.ok(
    peakRss < 150,
    `peak RSS ${peakRss.toFixed(1)} MiB stays under 150 MiB with ${(offered / 1048576).toFixed(0)} MiB offered`,
  );
  assert.ok(
    readerBytesWhileStalled > offered / 4,
    `the reading client kept being served: ${readerBytesWhileStalled} of ${offered} bytes`,
  );
  const drops = /out: .*dropped_send_buffer_full=(\d+)/.exec(daemon.stderr);
  assert.ok(Number(drops?.[1]) > 0, 'messages for the stalled reader were dropped and counted');
  assert.match(
    daemon.stderr,
    /WARNING \[out\] \[DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL\] 127\.0\.0\.1:\d+/,
  );
});
