// Records per second written to a SQLite file through SQLiteDataSink, beside a bare
// better-sqlite3 loop inserting the same rows, in transactions of the same size, into the same
// layout (WAL, synchronous=NORMAL), in the same run. Medians of RUNS runs, alternated.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setLogLevel } from '../dist/core/log.js';
import { SQLiteDataSink } from '../dist/plugins/sinks/sqlite/index.js';
import { INSERT_ROW, migrate, registerRun } from '../dist/plugins/sinks/sqlite/schema.js';
import { fmt, median, timeStoreSink } from './lib.mjs';

const RECORDS = Number(process.env.SQLITE_BENCH_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = Number(process.env.SQLITE_BENCH_BATCH ?? 1000);
const PER_RECEIPT = 10;
const T0 = Date.parse('2024-01-01T00:00:00Z');

/** The records of receipt `r`: PER_RECEIPT channels, one Date per receipt. */
function receipt(r) {
  const timestamp = new Date(T0 + r);
  const records = [];
  for (let c = 0; c < PER_RECEIPT; c++) {
    records.push({ type: 'analog', id: `ch${c}`, value: r * 0.001 + c, units: 'V', timestamp });
  }
  return records;
}

function count(file) {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM records').get().n;
  } finally {
    db.close();
  }
}

async function timeSink(file) {
  const sink = new SQLiteDataSink(
    SQLiteDataSink.optionsSchema.parse({
      filename: file,
      run_id: 'bench',
      batch_size: BATCH,
      buffer_records: RECORDS,
      buffer_bytes: 1024 * 1024 * 1024,
      close_timeout: 300,
    }),
  );
  return timeStoreSink(sink, RECORDS / PER_RECEIPT, receipt, RECORDS);
}

/** The baseline: the same rows, one prepared INSERT per row, BATCH rows per transaction. */
function timeBaseline(file) {
  const started = process.hrtime.bigint();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, 'bench');
  const runNo = registerRun(db, {
    run: 'bench',
    startedUs: T0 * 1000,
    host: 'bench',
    pid: process.pid,
    startKey: 'bench',
  });
  const insert = db.prepare(INSERT_ROW);
  const transaction = db.transaction((rows) => {
    for (const r of rows) {
      insert.run(r[0], 'bench', runNo, r[1], r[2], 1, 'analog', r[3], r[4], 'V', null);
    }
  });
  let rows = [];
  let seq = 0;
  for (let r = 0; r < RECORDS / PER_RECEIPT; r++) {
    for (const record of receipt(r)) {
      seq += 1;
      rows.push([record.timestamp.getTime() * 1000, seq, r + 1, record.id, record.value]);
      if (rows.length === BATCH) {
        transaction(rows);
        rows = [];
      }
    }
  }
  if (rows.length > 0) transaction(rows);
  db.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return RECORDS / seconds;
}

setLogLevel('warning');
const dir = await mkdtemp(join(tmpdir(), 'datalogd-bench-sqlite-'));
const sinkRuns = [];
const baseRuns = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const baseFile = join(dir, `base${run}.db`);
    baseRuns.push(timeBaseline(baseFile));
    const sinkFile = join(dir, `sink${run}.db`);
    sinkRuns.push(await timeSink(sinkFile));
    for (const file of [baseFile, sinkFile]) {
      const stored = count(file);
      if (stored !== RECORDS) throw new Error(`${file} holds ${stored} of ${RECORDS} rows`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const sink = median(sinkRuns);
const base = median(baseRuns);
console.log(
  `sqlite: ${RECORDS} records to a SQLite file (WAL), transactions of ${BATCH}, median of ${RUNS} runs`,
);
console.log(`  SQLiteDataSink            : ${fmt(sink, 0)} records/s`);
console.log(`  bare better-sqlite3 loop  : ${fmt(base, 0)} records/s`);
console.log(`  ratio sink/bare: ${fmt(sink / base, 2)}x (target >= 0.7x and >= 100000 records/s)`);
