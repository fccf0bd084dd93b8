// Relay benchmark for the SocketDataFilter (issue 3). A producer blasts N records of about
// 100 bytes into `in [class=SocketDataFilter, port=A]; out [..., role=client, port=B];
// in -> out;` and a consumer listening on B counts what arrives. The same producer and
// consumer drive two baselines in the same run: a lean 20-line Node.js relay and Node-RED
// 4 (tcp in -> function -> tcp out). Then p99 latency at a steady rate, and RSS while a
// reader that never reads is offered a large volume.
//
// Environment: RELAY_RECORDS (200000), BENCH_RUNS (3), LATENCY_RATE (10000/s),
// LATENCY_SECONDS (5), STALL_BYTES (1 GiB), RELAY_IMPLS (datalogd,lean,node-red).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  clientSettled,
  fmt,
  freePort,
  listen,
  median,
  peakRssMiB,
  rssMiB,
  sleep,
  waitForPort,
} from './lib.mjs';
import { nodeRedRelayArgs } from './node-red.mjs';

const RECORDS = Number(process.env.RELAY_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RATE = Number(process.env.LATENCY_RATE ?? 10_000);
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 5);
const STALL_BYTES = Number(process.env.STALL_BYTES ?? 1024 ** 3);
const IMPLS = (process.env.RELAY_IMPLS ?? 'datalogd,lean,node-red').split(',');
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const LEAN = fileURLToPath(new URL('./lean-relay.mjs', import.meta.url));
const DELIM = 0x17;

function record(seq, t = 0) {
  // About 100 bytes with its delimiter.
  return `[{"type":"analog","id":"sensor_${String(seq % 100).padStart(2, '0')}","value":${(seq * 0.001).toFixed(3)},"units":"V","seq":${seq},"t":${t}}]\x17`;
}

async function startRelay(impl, inPort, outPort) {
  let cleanupDir;
  let child;
  if (impl === 'datalogd') {
    const graph = `digraph { in [class=SocketDataFilter, port=${inPort}]; out [class=SocketDataFilter, role=client, port=${outPort}]; in -> out; }`;
    child = spawn(process.execPath, [CLI, '--log-level', 'warning', '-g', graph], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } else if (impl === 'lean') {
    child = spawn(process.execPath, [LEAN, String(inPort), String(outPort)], { stdio: 'ignore' });
  } else {
    const { dir, args } = nodeRedRelayArgs(inPort, outPort, await freePort());
    cleanupDir = dir;
    child = spawn(process.execPath, args, { stdio: 'ignore' });
  }
  await waitForPort(inPort);
  return {
    pid: child.pid,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', resolve),
      );
      if (cleanupDir) rmSync(cleanupDir, { recursive: true, force: true });
    },
  };
}

/** Producer and consumer around one relay: records/s end to end, and the relay's peak RSS. */
async function throughputTrial(impl) {
  let received = 0;
  let lastAt = 0;
  let connectedOut;
  const outConnected = new Promise((resolve) => (connectedOut = resolve));
  const consumer = await listen((socket) => {
    connectedOut();
    socket.on('data', (chunk) => {
      let i = -1;
      while ((i = chunk.indexOf(DELIM, i + 1)) !== -1) received += 1;
      lastAt = performance.now();
    });
  });
  const inPort = await freePort();
  const relay = await startRelay(impl, inPort, consumer.address().port);
  await outConnected;
  await clientSettled();
  const producer = net.connect({ host: '127.0.0.1', port: inPort });
  await new Promise((resolve) => producer.once('connect', resolve));
  let batch = '';
  const batches = [];
  for (let seq = 0; seq < RECORDS; seq++) {
    batch += record(seq);
    if (batch.length >= 65_536) {
      batches.push(Buffer.from(batch));
      batch = '';
    }
  }
  if (batch) batches.push(Buffer.from(batch));
  const started = performance.now();
  for (const b of batches)
    if (!producer.write(b)) await new Promise((r) => producer.once('drain', r));
  while (received < RECORDS) {
    const before = received;
    await sleep(200);
    if (received === before && performance.now() - Math.max(lastAt, started) > 5000) break;
  }
  const seconds = ((received >= RECORDS ? lastAt : performance.now()) - started) / 1000;
  const peak = peakRssMiB(relay.pid);
  producer.destroy();
  await relay.stop();
  consumer.close();
  return { rate: received / seconds, received, peak };
}

/** A steady `RATE` records/s for LATENCY_SECONDS; latency from send to arrival. */
async function latencyTrial(impl) {
  const latencies = [];
  let connectedOut;
  const outConnected = new Promise((resolve) => (connectedOut = resolve));
  const t0 = performance.now();
  const consumer = await listen((socket) => {
    connectedOut();
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      const now = Math.round((performance.now() - t0) * 1000);
      const parts = (rest + chunk).split('\x17');
      rest = parts.pop();
      for (const p of parts) latencies.push((now - JSON.parse(p)[0].t) / 1000);
    });
  });
  const inPort = await freePort();
  const relay = await startRelay(impl, inPort, consumer.address().port);
  await outConnected;
  await clientSettled();
  const producer = net.connect({ host: '127.0.0.1', port: inPort });
  producer.setNoDelay(true);
  await new Promise((resolve) => producer.once('connect', resolve));
  const total = RATE * LATENCY_SECONDS;
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
    let out = '';
    const t = Math.round((performance.now() - t0) * 1000);
    for (; sent < due; sent++) out += record(sent, t);
    if (out) producer.write(out);
    await sleep(1);
  }
  await sleep(500);
  producer.destroy();
  await relay.stop();
  consumer.close();
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    p50: pick(0.5),
    p99: pick(0.99),
    max: latencies[latencies.length - 1],
    received: latencies.length,
    sent: total,
  };
}

/** Offers STALL_BYTES to a relay whose downstream reader never reads; peak RSS of datalogd. */
async function stalledReaderTrial() {
  const inPort = await freePort();
  const outPort = await freePort();
  const graph = `digraph { in [class=SocketDataFilter, port=${inPort}]; out [class=SocketDataFilter, port=${outPort}]; in -> out; }`;
  const child = spawn(process.execPath, [CLI, '--log-level', 'error', '-g', graph], {
    stdio: 'ignore',
  });
  await waitForPort(inPort);
  await waitForPort(outPort);
  const stalled = net.connect({ host: '127.0.0.1', port: outPort });
  stalled.pause();
  await new Promise((resolve) => stalled.once('connect', resolve));
  const producer = net.connect({ host: '127.0.0.1', port: inPort });
  await new Promise((resolve) => producer.once('connect', resolve));
  let chunk = '';
  for (let seq = 0; chunk.length < 65_536; seq++) chunk += record(seq);
  const buf = Buffer.from(chunk);
  let offered = 0;
  let peak = 0;
  const started = performance.now();
  while (offered < STALL_BYTES && performance.now() - started < 120_000) {
    offered += buf.length;
    if (!producer.write(buf)) await new Promise((r) => producer.once('drain', r));
    if ((offered / buf.length) % 64 === 0) peak = Math.max(peak, rssMiB(child.pid));
  }
  peak = Math.max(peak, peakRssMiB(child.pid));
  const seconds = (performance.now() - started) / 1000;
  producer.destroy();
  stalled.destroy();
  child.kill('SIGKILL');
  return { offered, seconds, peak };
}

const results = Object.fromEntries(IMPLS.map((i) => [i, []]));
for (let run = 0; run < RUNS; run++) {
  for (const impl of IMPLS) results[impl].push(await throughputTrial(impl));
}
console.log(
  `relay: ${RECORDS} records of ~100 bytes, producer -> relay -> consumer, median of ${RUNS} runs`,
);
const med = (impl, key) => median(results[impl].map((r) => r[key]));
for (const impl of IMPLS) {
  const lost = RECORDS - Math.min(...results[impl].map((r) => r.received));
  console.log(
    `  ${impl.padEnd(9)} ${fmt(med(impl, 'rate') / 1000).padStart(8)} k records/s   peak RSS ${fmt(med(impl, 'peak')).padStart(6)} MiB` +
      `   runs: ${results[impl].map((r) => fmt(r.rate / 1000)).join(', ')}${lost > 0 ? `   (worst run lost ${lost})` : ''}`,
  );
}
if (results.datalogd && results.lean)
  console.log(
    `  datalogd / lean relay: ${fmt(med('datalogd', 'rate') / med('lean', 'rate'), 2)}x (target >= 0.8x)`,
  );
if (results.datalogd && results['node-red'])
  console.log(
    `  datalogd / Node-RED:    ${fmt(med('datalogd', 'rate') / med('node-red', 'rate'), 2)}x (target >= 8x)`,
  );

console.log(
  `latency at a steady ${RATE} records/s for ${LATENCY_SECONDS} s (ms, median of ${RUNS} runs)`,
);
for (const impl of IMPLS) {
  const trials = [];
  for (let run = 0; run < RUNS; run++) trials.push(await latencyTrial(impl));
  const m = (k) => fmt(median(trials.map((t) => t[k])), 3);
  console.log(
    `  ${impl.padEnd(9)} p50 ${m('p50')}  p99 ${m('p99')}  max ${m('max')}  received ${Math.min(...trials.map((t) => t.received))}/${trials[0].sent}`,
  );
}

const stall = [];
for (let run = 0; run < RUNS; run++) stall.push(await stalledReaderTrial());
console.log(
  `stalled reader: ${fmt(median(stall.map((s) => s.offered)) / 1024 ** 2, 0)} MiB offered in ${fmt(median(stall.map((s) => s.seconds)))} s to a reader that never reads`,
);
console.log(
  `  datalogd peak RSS ${fmt(median(stall.map((s) => s.peak)))} MiB (target < 150 MB); runs: ${stall.map((s) => fmt(s.peak)).join(', ')}`,
);
