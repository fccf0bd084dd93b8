import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

const DELIMITER = 0x17;

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
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

/** The counters of node `name` in the status line logged at stop. */
function statsOf(stderr: string, name: string): Record<string, number> {
  const line = new RegExp(`\\] ${name}: (.*)$`, 'm').exec(stderr)?.[1] ?? '';
  return Object.fromEntries(
    [...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

interface Relay {
  readonly daemon: DaemonProcess;
  readonly stalled: Socket[];
  readonly reader: { messages: number; socket: Socket };
  readonly offeredMessages: number;
  readonly peakRss: number;
}

/** The feeder's pace: fast enough to fill the stalled peers' buffers in a second or two. */
const FEED_MIB_PER_S = 24;

/**
 * `in -> out`: `stalledPeers` clients of `out` never read, one reads; a feeder offers up to
 * `offeredMiB` to `in` (within `timeLimitMs`), paced at FEED_MIB_PER_S so that the reading
 * peer, in this same loaded process, can keep up: a peer that falls far behind is rightly
 * dropped from, and the test is about the peers that do not read.
 */
async function relayTo(
  stalledPeers: number,
  outAttributes: string,
  offeredMiB: number,
  timeLimitMs: number,
): Promise<Relay> {
  const graph = `digraph {
    in [class=SocketDataFilter, port=0];
    out [class=SocketDataFilter, port=0${outAttributes}];
    in -> out;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const inPort = await serverPort(daemon, 'in');
  const outPort = await serverPort(daemon, 'out');
  const stalled: Socket[] = [];
  for (let i = 0; i < stalledPeers; i++) {
    const socket = await open(outPort);
    socket.pause();
    socket.on('error', () => undefined);
    stalled.push(socket);
  }
  const reader = { messages: 0, socket: await open(outPort) };
  reader.socket.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(DELIMITER); i !== -1; i = chunk.indexOf(DELIMITER, i + 1)) {
      reader.messages += 1;
    }
  });
  const record =
    JSON.stringify([{ type: 'analog', id: 'load', value: 123.456, pad: 'x'.repeat(40) }]) + '\x17';
  const perBatch = 1000;
  const batch = Buffer.from(record.repeat(perBatch));
  const feeder = await open(inPort);
  // A connection is made before the daemon has accepted it; once a probe reaches the reader
  // (accepted last, in order), every peer is in the daemon's set.
  await waitUntil(async () => {
    feeder.write(record);
    await sleep(300);
    return reader.messages > 0;
  }, 'a probe at the reader');
  reader.messages = 0;
  let offered = 0;
  let offeredMessages = 0;
  const started = Date.now();
  while (offered < offeredMiB * 1048576 && Date.now() - started < timeLimitMs) {
    offered += batch.length;
    offeredMessages += perBatch;
    if (!feeder.write(batch)) await new Promise((resolve) => feeder.once('drain', resolve));
    const ahead = (offered / 1048576 / FEED_MIB_PER_S) * 1000 - (Date.now() - started);
    if (ahead > 5) await sleep(ahead);
  }
  feeder.destroy();
  await waitUntil(() => reader.messages >= offeredMessages, 'the reader to catch up', {
    timeoutMs: 10_000,
  }).catch(() => undefined);
  const peakRss = peakRssMiB(daemon.child.pid as number);
  return { daemon, stalled, reader, offeredMessages, peakRss };
}

test('100 peers that never read cannot grow the daemon, and the reading peer gets everything', async () => {
  const relay = await relayTo(100, '', 96, 30_000);
  const { daemon, reader, offeredMessages, peakRss } = relay;
  for (const socket of relay.stalled) socket.destroy();
  reader.socket.destroy();
  assert.equal(daemon.child.exitCode, null, 'the daemon is alive');
  assert.equal(await daemon.stop(), 0);

  assert.ok(offeredMessages >= 300_000, `offered ${offeredMessages} messages within the limit`);
  assert.ok(
    peakRss < 250,
    `peak RSS ${peakRss.toFixed(1)} MiB with 100 non-reading peers stays under 250 MiB (before: 940)`,
  );
  assert.equal(
    reader.messages,
    offeredMessages,
    `the reading peer was served in full: ${reader.messages} of ${offeredMessages} (${JSON.stringify(statsOf(daemon.stderr, 'out'))})`,
  );
  const out = statsOf(daemon.stderr, 'out');
  assert.ok((out.dropped_send_buffer_full ?? 0) > 0, 'the stalled peers missed messages, counted');
  assert.equal(out.send_budget_held ?? 0, 0, 'everything held for the departed peers was released');
});

test('past the send budget the slowest peers are dropped from first, and stalled peers are disconnected', async () => {
  const relay = await relayTo(
    20,
    ', send_budget_bytes=8388608, send_buffer_size=16777216, stall_timeout=1.5',
    64,
    8_000,
  );
  const { daemon, reader, offeredMessages } = relay;
  // The stalled peers, holding the oldest bytes, go within the stall timeout and a sweep.
  await daemon.waitForStderr(/\[DATALOGD_ERR_SOCKET_STALLED\] 127\.0\.0\.1:\d+ has read nothing/);
  const closed = await Promise.all(
    relay.stalled.map(
      (socket) =>
        new Promise<boolean>((resolve) => {
          if (socket.destroyed || socket.readableEnded) resolve(true);
          socket.once('close', () => {
            resolve(true);
          });
          socket.resume();
          setTimeout(() => {
            resolve(false);
          }, 10_000);
        }),
    ),
  );
  reader.socket.destroy();
  assert.equal(await daemon.stop(), 0);

  assert.equal(closed.filter(Boolean).length, 20, 'every stalled peer was disconnected');
  const out = statsOf(daemon.stderr, 'out');
  assert.equal(out.peers_stalled, 20, `peers_stalled=${out.peers_stalled}`);
  assert.ok(
    (out.dropped_send_budget ?? 0) > 0,
    `dropped_send_budget=${out.dropped_send_budget} messages for the slowest peers`,
  );
  assert.equal(
    reader.messages,
    offeredMessages,
    `the reading peer lost nothing to the budget: ${reader.messages} of ${offeredMessages} (${JSON.stringify(out)} in: ${JSON.stringify(statsOf(daemon.stderr, 'in'))})`,
  );
  assert.match(
    daemon.stderr,
    /WARNING \[out\] \[DATALOGD_ERR_SOCKET_SEND_BUDGET\] .*8388608.*127\.0\.0\.1:\d+, the slowest peer/,
  );
  assert.equal(out.send_budget_held ?? 0, 0);
});
