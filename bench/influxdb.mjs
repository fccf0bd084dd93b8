// Points per second written to a local InfluxDB 1.x (influxd) through InfluxDBDataSink, beside
// a bare batched HTTP /write loop with the same batch size, measured in the same run against
// the same server. Each run writes POINTS points to a fresh database; medians of RUNS runs.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogLevel } from '../dist/core/log.js';
import { InfluxDBDataSink } from '../dist/plugins/sinks/influxdb/index.js';
import { fmt, freePort, median, sleep } from './lib.mjs';

const POINTS = Number(process.env.INFLUX_BENCH_POINTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = Number(process.env.INFLUX_BENCH_BATCH ?? 1000);
const PER_RECEIPT = 10;
const T0 = Date.parse('2024-01-01T00:00:00Z');

async function startInfluxd() {
  const dir = await mkdtemp(join(tmpdir(), 'datalogd-bench-influxd-'));
  const httpPort = await freePort();
  const bindPort = await freePort();
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${bindPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '  logging-enabled = false',
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[http]',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  log-enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
  await writeFile(join(dir, 'influxdb.conf'), config);
  const child = spawn('influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('influxd exited at start');
    try {
      if ((await fetch(`${url}/ping`)).status === 204) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('influxd did not answer /ping within 30 s');
    await sleep(50);
  }
  return {
    httpPort,
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function query(url, q, db) {
  const params = new URLSearchParams({ q });
  if (db !== undefined) params.set('db', db);
  const reply = await (await fetch(`${url}/query`, { method: 'POST', body: params })).json();
  const error = reply.error ?? reply.results?.[0]?.error;
  if (error !== undefined) throw new Error(`${q}: ${error}`);
  return reply;
}

async function countPoints(url, db) {
  const reply = await query(url, 'SELECT COUNT(*) FROM "bench"', db);
  const row = reply.results?.[0]?.series?.[0]?.values?.[0] ?? [];
  return row.slice(1).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** The records of receipt `r`: PER_RECEIPT channels, one time per receipt. */
function receipt(r) {
  const timestamp = new Date(T0 + r);
  const records = [];
  for (let c = 0; c < PER_RECEIPT; c++) {
    records.push({ type: 'analog', id: `ch${c}`, value: r * 0.001 + c, units: 'V', timestamp });
  }
  return records;
}

async function timeSink(server, db) {
  const sink = new InfluxDBDataSink(
    InfluxDBDataSink.optionsSchema.parse({
      host: '127.0.0.1',
      port: server.httpPort,
      dbname: db,
      session: 'bench',
      run: 'b',
      batch_size: BATCH,
      buffer_points: POINTS,
      close_timeout: 300,
    }),
  );
  sink.nodeName = 'bench';
  const started = process.hrtime.bigint();
  sink.start();
  for (let r = 0; r < POINTS / PER_RECEIPT; r++) sink.receive(receipt(r));
  await sink.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { points_written: written } = sink.stats();
  if (written !== POINTS) throw new Error(`the sink wrote ${written} of ${POINTS}`);
  return POINTS / seconds;
}

function post(agent, port, path, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/plain' },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 204
            ? resolve()
            : reject(new Error(`HTTP ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The baseline: the same points, formatted inline and POSTed BATCH at a time, one request at a time. */
async function timeBaseline(server, db) {
  await query(server.url, `CREATE DATABASE "${db}"`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const path = `/write?db=${encodeURIComponent(db)}&precision=ns`;
  const started = process.hrtime.bigint();
  let lines = [];
  for (let r = 0; r < POINTS / PER_RECEIPT; r++) {
    for (const record of receipt(r)) {
      lines.push(
        `bench,run=b,units=${record.units} ${record.type}_${record.id}=${record.value} ${record.timestamp.getTime()}000000`,
      );
      if (lines.length === BATCH) {
        await post(agent, server.httpPort, path, lines.join('\n'));
        lines = [];
      }
    }
  }
  if (lines.length > 0) await post(agent, server.httpPort, path, lines.join('\n'));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return POINTS / seconds;
}

setLogLevel('warning');
const server = await startInfluxd();
const sinkRuns = [];
const baseRuns = [];
try {
  for (let run = 0; run < RUNS; run++) {
    // Alternate so that machine noise (and the server warming up) falls on both sides alike.
    const baseDb = `base${run}`;
    baseRuns.push(await timeBaseline(server, baseDb));
    const sinkDb = `sink${run}`;
    sinkRuns.push(await timeSink(server, sinkDb));
    for (const db of [baseDb, sinkDb]) {
      const stored = await countPoints(server.url, db);
      if (stored !== POINTS) throw new Error(`${db} holds ${stored} of ${POINTS} points`);
      await query(server.url, `DROP DATABASE "${db}"`);
    }
  }
} finally {
  await server.stop();
}
const sink = median(sinkRuns);
const base = median(baseRuns);
console.log(
  `influxdb: ${POINTS} points to a local influxd 1.x, batches of ${BATCH}, median of ${RUNS} runs`,
);
console.log(`  InfluxDBDataSink       : ${fmt(sink, 0)} points/s`);
console.log(`  bare HTTP /write loop  : ${fmt(base, 0)} points/s`);
console.log(`  ratio sink/bare: ${fmt(sink / base, 2)}x`);
console.log(
  `  runs sink: ${sinkRuns.map((v) => fmt(v, 0)).join(', ')}; bare: ${baseRuns.map((v) => fmt(v, 0)).join(', ')}`,
);
