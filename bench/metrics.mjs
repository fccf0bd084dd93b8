// Metrics benchmark (issue 13). A socket relay `in -> out` carries records of about 100
// bytes from a producer to a consumer, with the metrics endpoint on (--http, scraped every
// second, harsher than Prometheus' usual 15 s) and off, alternating in the same run:
//   1. throughput: METRICS_RECORDS records as fast as the relay takes them, records/s;
//   2. CPU: a steady METRICS_RATE records/s (100,000) for METRICS_SECONDS, the daemon's CPU
//      seconds (utime + stime), which is where a per-record metrics cost would show;
//   3. scrape time of /metrics while records flow.
// Target: under 2% of throughput lost with metrics on. Medians of BENCH_RUNS (3).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { clientSettled, fmt, freePort, listen, median, sleep, waitForPort } from './lib.mjs';

const RECORDS = Number(process.env.METRICS_RECORDS ?? 1_000_000);
const RATE = Number(process.env.METRICS_RATE ?? 100_000);
const SECONDS = Number(process.env.METRICS_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DELIM = 0x17;
const TICKS_PER_SECOND = 100;

function record(seq) {
  return `[{"type":"analog","id":"sensor_${String(seq % 100).padStart(2, '0')}","value":${(seq * 0.001).toFixed(3)},"units":"V","seq":${seq}}]\x17`;
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A relay daemon, a consumer and a producer; with `metrics`, a scraper every second. */
async function setUp(metrics) {
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
  const httpPort = await freePort();
  const graph = `digraph { in [class=SocketDataFilter, port=${inPort}]; out [class=SocketDataFilter, role=client, port=${consumer.address().port}]; in -> out; }`;
  const args = ['--log-level', 'warning', '-g', graph];
  if (metrics) args.unshift('--http', String(httpPort));
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(inPort);
  if (metrics) await waitForPort(httpPort);
  await outConnected;
  await clientSettled();
  const producer = net.connect({ host: '127.0.0.1', port: inPort });
  await new Promise((resolve) => producer.once('connect', resolve));
  const scrapeMs = [];
  let scraping = metrics;
  const scraper = (async () => {
    while (scraping) {
      const t = performance.now();
      const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      const text = await response.text();
      if (!text.includes('datalogd_node_records_out_total')) throw new Error('no node metrics');
      scrapeMs.push(performance.now() - t);
      await sleep(1000);
    }
  })();
  return {
    pid: child.pid,
    producer,
    scrapeMs,
    received: () => received,
    lastAt: () => lastAt,
    async stop() {
      scraping = false;
      await scraper;
      producer.destroy();
      child.kill('SIGKILL');
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', resolve),
      );
      consumer.close();
    },
  };
}

async function throughputTrial(metrics) {
  const rig = await setUp(metrics);
  const batches = [];
  let batch = '';
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
    if (!rig.producer.write(b)) await new Promise((r) => rig.producer.once('drain', r));
  while (rig.received() < RECORDS) {
    const before = rig.received();
    await sleep(100);
    if (rig.received() === before && performance.now() - Math.max(rig.lastAt(), started) > 5000)
      break;
  }
  const seconds = ((rig.received() >= RECORDS ? rig.lastAt() : performance.now()) - started) / 1000;
  const received = rig.received();
  await rig.stop();
  return received / seconds;
}

async function cpuTrial(metrics) {
  const rig = await setUp(metrics);
  await sleep(300);
  const cpuBefore = cpuSeconds(rig.pid);
  const total = RATE * SECONDS;
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
    let out = '';
    for (; sent < due; sent++) out += record(sent);
    if (out) rig.producer.write(out);
    await sleep(5);
  }
  const deadline = performance.now() + 10_000;
  while (rig.received() < total && performance.now() < deadline) await sleep(50);
  const cpu = cpuSeconds(rig.pid) - cpuBefore;
  const received = rig.received();
  const scrapes = [...rig.scrapeMs];
  await rig.stop();
  return { cpu, received, total, scrapes };
}

const rates = { on: [], off: [] };
const cpu = { on: [], off: [] };
const scrapes = [];
let lost = 0;
for (let run = 0; run < RUNS; run++) {
  // Alternate which goes first, so that a machine warming up or slowing favours neither.
  const order = run % 2 === 0 ? [false, true] : [true, false];
  for (const metrics of order) rates[metrics ? 'on' : 'off'].push(await throughputTrial(metrics));
  for (const metrics of order) {
    const trial = await cpuTrial(metrics);
    cpu[metrics ? 'on' : 'off'].push(trial.cpu);
    lost += trial.total - trial.received;
    if (metrics) scrapes.push(...trial.scrapes);
  }
}
const onRate = median(rates.on);
const offRate = median(rates.off);
const onCpu = median(cpu.on);
const offCpu = median(cpu.off);
scrapes.sort((a, b) => a - b);
const each = (values, scale, digits) => values.map((v) => fmt(v / scale, digits)).join(', ');
console.log(
  `metrics: runs: throughput on [${each(rates.on, 1000, 1)}]k, off [${each(rates.off, 1000, 1)}]k records/s; CPU on [${each(cpu.on, 1, 2)}], off [${each(cpu.off, 1, 2)}] s`,
);
const lossPct = ((offRate - onRate) / offRate) * 100;
console.log(
  `metrics: relay throughput (${RECORDS} records, medians of ${RUNS}): metrics on ${fmt(onRate / 1000)}k records/s, off (baseline) ${fmt(offRate / 1000)}k records/s: ${fmt(lossPct)}% lost (target < 2%)`,
);
console.log(
  `metrics: daemon CPU at ${RATE / 1000}k records/s for ${SECONDS} s (medians of ${RUNS}): metrics on ${fmt(onCpu, 2)} s, off (baseline) ${fmt(offCpu, 2)} s: ${fmt(((onCpu - offCpu) / offCpu) * 100)}% more; records lost ${lost}`,
);
console.log(
  `metrics: /metrics scrape time under load (${scrapes.length} scrapes, every 1 s): median ${fmt(median(scrapes), 2)} ms, max ${fmt(scrapes.at(-1), 2)} ms`,
);
