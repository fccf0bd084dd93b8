// Non-reading peers (issue 10): N clients connect to a SocketDataFilter server and never
// read, while the node relays a feeder's traffic to one client that reads. Measures the
// daemon's peak RSS, whether it stays alive, and what share of the traffic the reading
// client got, and at what rate. Before the process-wide send budget, 100 such peers took
// RSS from 58 to 940 MB and 600 exhausted the heap.
//
// Environment: PEERS (100,1000), OFFERED_MIB (256), TIME_LIMIT_S (60), DATALOGD_CLI (this
// checkout's dist/cli/main.js; point it at another build to compare).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, peakRssMiB, rssMiB, sleep, waitForPort } from './lib.mjs';

const PEERS = (process.env.PEERS ?? '100,1000').split(',').map(Number);
const OFFERED = Number(process.env.OFFERED_MIB ?? 256) * 1024 * 1024;
const TIME_LIMIT_MS = Number(process.env.TIME_LIMIT_S ?? 60) * 1000;
const CLI =
  process.env.DATALOGD_CLI ?? fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DELIM = 0x17;

function open(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function trial(peers) {
  const inPort = await freePort();
  const outPort = await freePort();
  const graph = `digraph { in [class=SocketDataFilter, port=${inPort}]; out [class=SocketDataFilter, port=${outPort}]; in -> out; }`;
  const child = spawn(process.execPath, [CLI, '--log-level', 'error', '-g', graph], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => (stderr = (stderr + text).slice(-4000)));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitForPort(inPort, { child });
  await waitForPort(outPort, { child });
  const baseRss = rssMiB(child.pid);

  const stalled = [];
  for (let i = 0; i < peers; i++) {
    const socket = await open(outPort);
    socket.pause();
    socket.on('error', () => {});
    stalled.push(socket);
  }
  const reader = await open(outPort);
  reader.on('error', () => {});
  let readerMessages = 0;
  reader.on('data', (chunk) => {
    let i = -1;
    while ((i = chunk.indexOf(DELIM, i + 1)) !== -1) readerMessages += 1;
  });
  await sleep(500);

  const record =
    JSON.stringify([{ type: 'analog', id: 'load', value: 123.456, pad: 'x'.repeat(40) }]) + '\x17';
  const perBatch = 1000;
  const batch = Buffer.from(record.repeat(perBatch));
  const feeder = await open(inPort);
  feeder.on('error', () => {});
  let offered = 0;
  let offeredMessages = 0;
  let died = false;
  exited.then(() => (died = true));
  const started = performance.now();
  while (!died && offered < OFFERED && performance.now() - started < TIME_LIMIT_MS) {
    offered += batch.length;
    offeredMessages += perBatch;
    if (!feeder.write(batch)) {
      await Promise.race([new Promise((r) => feeder.once('drain', r)), exited]);
    }
  }
  const feedSeconds = (performance.now() - started) / 1000;
  // Let the reader catch up with what is in flight.
  for (let i = 0; i < 50 && !died && readerMessages < offeredMessages; i++) await sleep(100);
  const peak = died ? NaN : peakRssMiB(child.pid);
  for (const s of stalled) s.destroy();
  reader.destroy();
  feeder.destroy();
  let outcome;
  if (died) {
    const { code, signal } = await exited;
    const oom = /heap out of memory/i.test(stderr) ? ', JavaScript heap out of memory' : '';
    outcome = `CRASHED (exit ${code ?? signal}${oom})`;
  } else {
    child.kill('SIGTERM');
    const { code } = await exited;
    outcome = `alive (exit ${code} on SIGTERM)`;
  }
  return {
    peers,
    baseRss,
    peak,
    outcome,
    offeredMiB: offered / 1048576,
    share: readerMessages / offeredMessages,
    rateMiBs: offered / 1048576 / feedSeconds,
  };
}

console.log(
  `non-reading peers: N clients that never read, one that reads, up to ${fmt(OFFERED / 1048576, 0)} MiB relayed (${CLI})`,
);
for (const peers of PEERS) {
  const r = await trial(peers);
  console.log(
    `  ${String(r.peers).padStart(5)} peers  RSS ${fmt(r.baseRss)} -> peak ${fmt(r.peak)} MiB (target < 250)  ${r.outcome}  reader got ${fmt(r.share * 100)}% of ${fmt(r.offeredMiB, 0)} MiB at ${fmt(r.rateMiBs)} MiB/s`,
  );
}
