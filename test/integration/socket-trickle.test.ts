import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) * 1024;
}

const PEERS = 8;
const HELD_PER_PEER = 256 * 1024;

/** Sends an unfinished message one byte per send (TCP_NODELAY: a segment each), then waits. */
const TRICKLER = `
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
one = b'x'
for _ in range(int(sys.argv[2])):
    s.send(one)
print('held', flush=True)
time.sleep(float(sys.argv[3]))
s.sendall(b'\\x17')
s.close()
`;

test('a peer trickling an unfinished message byte by byte costs close to a byte per byte held', async () => {
  const daemon = new DaemonProcess(
    ['-g', 'digraph { s [class=SocketDataFilter, port=0, structure_type=none]; }'],
    sandbox.env,
  );
  const port = await serverPort(daemon, 's');
  const pid = daemon.child.pid as number;
  // A first round, whose messages complete, brings the daemon's heap to its working size:
  // what the second round adds while held is then the cost of holding.
  const warmUp = Array.from(
    { length: PEERS },
    () => new Peer('python3', ['-c', TRICKLER, String(port), String(HELD_PER_PEER), '0']),
  );
  await Promise.all(warmUp.map((p) => p.finished(60_000)));
  await sleep(1000);
  const baseline = rssBytes(pid);
  const peers = Array.from(
    { length: PEERS },
    () => new Peer('python3', ['-c', TRICKLER, String(port), String(HELD_PER_PEER), '4']),
  );
  try {
    await Promise.all(peers.map((p) => p.waitForLines(1, 60_000)));
    await sleep(500);
    const held = PEERS * HELD_PER_PEER;
    const growth = rssBytes(pid) - baseline;
    const perByte = growth / held;
    await Promise.all(peers.map((p) => p.finished(20_000)));
    await sleep(300);
    assert.equal(await daemon.stop(), 0);
    assert.ok(
      perByte < 3,
      `RSS grew ${(growth / 1048576).toFixed(1)} MiB for ${(held / 1048576).toFixed(1)} MiB held: ${perByte.toFixed(2)} bytes per byte held (before: 75-80)`,
    );
    const stats = /\] s: (.*)$/m.exec(daemon.stderr)?.[1] ?? '';
    assert.match(stats, new RegExp(`messages_in=${2 * PEERS}\\b`), 'each message arrived whole');
    assert.match(stats, new RegExp(`bytes_in=${2 * PEERS * (HELD_PER_PEER + 1)}\\b`));
  } finally {
    for (const p of peers) await p.stop();
    await daemon.stop();
  }
});
