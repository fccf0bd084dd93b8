// Records per second replayed by ReplayDataSource at speed=max from a SQLite store into a
// NullDataSink, beside a bare better-sqlite3 loop reading the same rows into records (type,
// id, value, units, a Date timestamp), in the same run. Medians of RUNS runs, alternated.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setLogLevel } from '../dist/core/log.js';
import { NullDataSink } from '../dist/plugins/null.js';
import { SQLiteDataSink } from '../dist/plugins/sinks/sqlite/index.js';
import { ReplayDataSource } from '../dist/plugins/sources/replay/index.js';
import { fmt, median } from './lib.mjs';

const RECORDS = Number(process.env.REPLAY_BENCH_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_RECEIPT = 10;
const T0 = Date.parse('2024-01-01T00:00:00Z');

/** Writes the store once, through the sink, as a live run would. */
async function record(file) {
  const sink = new SQLiteDataSink(
    SQLiteDataSink.optionsSchema.parse({
      filename: file,
      buffer_records: RECORDS,
      buffer_bytes: 1024 * 1024 * 1024,
      close_timeout: 300,
    }),
  );
  sink.start();
  for (let r = 0; r < RECORDS / PER_RECEIPT; r++) {
    const timestamp = new Date(T0 + r);
    const records = [];
    for (let c = 0; c < PER_RECEIPT; c++) {
      records.push({ type: 'analog', id: `ch${c}`, value: r * 0.001 + c, units: 'V', timestamp });
    }
    sink.receive(records);
    if (r % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await sink.close();
}

async function timeReplay(file) {
  const source = new ReplayDataSource(ReplayDataSource.optionsSchema.parse({ filename: file }));
  const sink = new NullDataSink();
  let received = 0;
  source.connectSinks({
    receive: (data) => {
      received += data.length;
      sink.receive(data);
    },
  });
  const started = process.hrtime.bigint();
  source.start();
  await source.finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await source.close();
  if (received !== RECORDS) throw new Error(`replayed ${received} of ${RECORDS}`);
  return RECORDS / seconds;
}

function timeBaseline(file) {
  const started = process.hrtime.bigint();
  const db = new Database(file, { readonly: true });
  const sink = new NullDataSink();
  let receipt = [];
  let last = -1;
  let count = 0;
  const rows = db
    .prepare('SELECT receipt, time_us, type, id, value, units FROM records ORDER BY run_no, seq')
    .iterate();
  for (const row of rows) {
    if (row.receipt !== last && receipt.length > 0) {
      sink.receive(receipt);
      receipt = [];
    }
    last = row.receipt;
    receipt.push({
      type: row.type,
      id: row.id,
      value: row.value,
      units: row.units,
      timestamp: new Date(row.time_us / 1000),
    });
    count += 1;
  }
  if (receipt.length > 0) sink.receive(receipt);
  db.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (count !== RECORDS) throw new Error(`read ${count} of ${RECORDS}`);
  return RECORDS / seconds;
}

setLogLevel('warning');
const dir = await mkdtemp(join(tmpdir(), 'datalogd-bench-replay-'));
const replayRuns = [];
const baseRuns = [];
try {
  const file = join(dir, 'store.db');
  await record(file);
  for (let run = 0; run < RUNS; run++) {
    baseRuns.push(timeBaseline(file));
    replayRuns.push(await timeReplay(file));
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const replay = median(replayRuns);
const base = median(baseRuns);
console.log(`replay: ${RECORDS} records from a SQLite store at speed=max, median of ${RUNS} runs`);
console.log(`  ReplayDataSource -> NullDataSink : ${fmt(replay, 0)} records/s`);
console.log(`  bare better-sqlite3 read loop    : ${fmt(base, 0)} records/s`);
console.log(`  ratio replay/bare: ${fmt(replay / base, 2)}x`);
