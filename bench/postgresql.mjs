// Records per second written to a local PostgreSQL 15 through PostgreSQLDataSink, beside a
// bare `pg` loop of multi-row INSERT ... VALUES of the same rows, in batches of the same size,
// into the same table layout, on the same server, in the same run. Medians of RUNS runs,
// alternated. The server is started here (initdb into a temporary directory, run as the
// postgres user) and stopped by process id at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { setLogLevel } from '../dist/core/log.js';
import { PostgreSQLDataSink } from '../dist/plugins/sinks/postgresql/index.js';
import { createStatements } from '../dist/plugins/sinks/postgresql/sql.js';
import { fmt, freePort, median, sleep, timeStoreSink } from './lib.mjs';

const RECORDS = Number(process.env.PG_BENCH_RECORDS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = Number(process.env.PG_BENCH_BATCH ?? 1000);
const PER_RECEIPT = 10;
const T0 = Date.parse('2024-01-01T00:00:00Z');

function program(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  const root = '/usr/lib/postgresql';
  for (const version of existsSync(root) ? readdirSync(root).sort().reverse() : []) {
    if (existsSync(join(root, version, 'bin', name))) return join(root, version, 'bin', name);
  }
  throw new Error(`${name} not found: install postgresql`);
}

async function startPostgres() {
  const dir = await mkdtemp(join(tmpdir(), 'datalogd-bench-postgres-'));
  const [uid, gid] = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
    .split(':')
    .slice(2, 4)
    .map(Number);
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const init = spawnSync(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      program('initdb'),
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const port = await freePort();
  const child = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      program('postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'log_min_messages=warning',
    ],
    { stdio: 'ignore' },
  );
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('postgres exited at start');
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('postgres did not answer within 30 s');
      await sleep(100);
    }
  }
  return {
    url,
    async stop() {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(pid, 'SIGINT');
      const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function receipt(r) {
  const timestamp = new Date(T0 + r);
  const records = [];
  for (let c = 0; c < PER_RECEIPT; c++) {
    records.push({ type: 'analog', id: `ch${c}`, value: r * 0.001 + c, units: 'V', timestamp });
  }
  return records;
}

async function count(url, schema) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "${schema}".records`)).rows[0].n);
  } finally {
    await client.end();
  }
}

async function timeSink(url, schema) {
  const sink = new PostgreSQLDataSink(
    PostgreSQLDataSink.optionsSchema.parse({
      url,
      schema,
      run_id: 'bench',
      batch_size: BATCH,
      buffer_records: RECORDS,
      buffer_bytes: 1024 * 1024 * 1024,
      close_timeout: 300,
      timeout: 60,
    }),
  );
  return timeStoreSink(sink, RECORDS / PER_RECEIPT, receipt, RECORDS);
}

/** The baseline: the same rows as multi-row INSERT ... VALUES, BATCH rows per statement. */
async function timeBaseline(url, schema) {
  const started = process.hrtime.bigint();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  for (const statement of createStatements(schema)) await client.query(statement);
  const columns = '(time, run, run_no, seq, receipt, stamped, type, id, value, units, extra)';
  let values = [];
  let params = [];
  let seq = 0;
  const flush = async () => {
    await client.query(
      `INSERT INTO "${schema}".records ${columns} VALUES ${values.join(',')}`,
      params,
    );
    values = [];
    params = [];
  };
  for (let r = 0; r < RECORDS / PER_RECEIPT; r++) {
    for (const record of receipt(r)) {
      seq += 1;
      const p = params.length;
      values.push(
        `($${p + 1}::timestamptz, 'bench', 1, $${p + 2}, $${p + 3}, true, 'analog', $${p + 4}, $${p + 5}, 'V', NULL)`,
      );
      params.push(record.timestamp.toISOString(), seq, r + 1, record.id, record.value);
      if (values.length === BATCH) await flush();
    }
  }
  if (values.length > 0) await flush();
  await client.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return RECORDS / seconds;
}

setLogLevel('warning');
const server = await startPostgres();
const sinkRuns = [];
const baseRuns = [];
try {
  for (let run = 0; run < RUNS; run++) {
    baseRuns.push(await timeBaseline(server.url, `base${run}`));
    sinkRuns.push(await timeSink(server.url, `sink${run}`));
    for (const schema of [`base${run}`, `sink${run}`]) {
      const stored = await count(server.url, schema);
      if (stored !== RECORDS) throw new Error(`${schema} holds ${stored} of ${RECORDS} rows`);
    }
  }
} finally {
  await server.stop();
}
const sink = median(sinkRuns);
const base = median(baseRuns);
console.log(
  `postgresql: ${RECORDS} records to a local PostgreSQL, batches of ${BATCH}, median of ${RUNS} runs`,
);
console.log(`  PostgreSQLDataSink           : ${fmt(sink, 0)} records/s`);
console.log(`  bare pg multi-row INSERT     : ${fmt(base, 0)} records/s`);
console.log(`  ratio sink/bare: ${fmt(sink / base, 2)}x (target >= 0.7x)`);
