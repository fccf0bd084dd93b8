import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Data } from '../../../../../src/core/node.js';
import { SQLiteDataSink } from '../../../../../src/plugins/sinks/sqlite/index.js';
import { schema as sinkSchema } from '../../../../../src/plugins/sinks/sqlite/options.js';
import { ReplayDataSource } from '../../../../../src/plugins/sources/replay/index.js';
import { schema } from '../../../../../src/plugins/sources/replay/options.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

const log = captureLogEachTest();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-replay-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2024-05-06T22:00:00Z');

/** Stores receipts through the real sink, closed (committed) before it returns. */
async function store(file: string, receipts: Data[], runId = 'r'): Promise<void> {
  const sink = new SQLiteDataSink(sinkSchema.parse({ filename: file, run_id: runId }));
  sink.start();
  for (const receipt of receipts) sink.receive(receipt);
  await sink.close();
}

async function replayed(
  options: Record<string, unknown>,
): Promise<{ got: Data[]; source: ReplayDataSource }> {
  const source = new ReplayDataSource(schema.parse(options));
  const got: Data[] = [];
  source.connectSinks({ receive: (data: Data) => got.push(data) });
  source.start();
  await source.finished;
  await source.close();
  return { got, source };
}

test('receipts come out as they went in, grouped, in order, with add_timestamp on request', async () => {
  const file = join(dir, 'a.db');
  await store(file, [
    [
      { type: 't', id: 'a', value: 1, timestamp: new Date(T0) },
      { type: 't', id: 'b', value: 2, timestamp: new Date(T0) },
    ],
    [{ type: 'p', value: 'x' }],
  ]);
  const { got, source } = await replayed({ filename: file });
  assert.deepEqual(got, [
    [
      { type: 't', id: 'a', value: 1, timestamp: new Date(T0) },
      { type: 't', id: 'b', value: 2, timestamp: new Date(T0) },
    ],
    [{ type: 'p', value: 'x' }],
  ]);
  assert.deepEqual(source.stats(), {
    sink_errors: 0,
    records_replayed: 3,
    receipts_replayed: 2,
    replay_read_failures: 0,
    rows_unreadable: 0,
  });
  const stamped = await replayed({ filename: file, add_timestamp: true, select: [['type', 'p']] });
  assert.equal(stamped.got.length, 1);
  const record = (stamped.got[0] as Record<string, unknown>[])[0];
  assert.ok(record?.timestamp instanceof Date);
});

test('more rows than a page: every one, once, across page boundaries inside a receipt', async () => {
  const file = join(dir, 'big.db');
  const receipts = Array.from({ length: 7 }, (_v, r) =>
    Array.from({ length: 999 }, (_w, i) => ({ type: 'n', id: `${r}`, value: i })),
  );
  await store(file, receipts);
  const { got } = await replayed({ filename: file });
  assert.deepEqual(got, receipts);
});

test('a row whose extra was spoiled by hand is skipped and reported; the rest replays', async () => {
  const file = join(dir, 'bad.db');
  await store(file, [
    [
      { type: 'a', note: 'x' },
      { type: 'b', value: 1 },
    ],
  ]);
  const db = new Database(file);
  db.prepare("UPDATE records SET extra = 'not json' WHERE type = 'a'").run();
  db.close();
  const { got, source } = await replayed({ filename: file });
  assert.deepEqual(got, [[{ type: 'b', value: 1 }]]);
  assert.equal(source.stats().rows_unreadable, 1);
  assert.equal(log.current.withCode('DATALOGD_ERR_REPLAY_BAD_ROW').length, 1);
});

test('a file that is missing or not a store is reported and tried again until close', async () => {
  const source = new ReplayDataSource(schema.parse({ filename: join(dir, 'none.db') }));
  source.start();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await source.close();
  assert.ok((source.stats().replay_read_failures ?? 0) >= 1);
  assert.match(
    log.current.withCode('DATALOGD_ERR_REPLAY_READ_FAILED')[0] ?? '',
    /Cannot read .*none\.db/,
  );
});

test('run=last replays the latest run only; a run label that is not there replays nothing', async () => {
  const file = join(dir, 'runs.db');
  await store(file, [[{ type: 'first' }]], 'one');
  await store(file, [[{ type: 'second' }]], 'two');
  assert.deepEqual((await replayed({ filename: file, run: 'last' })).got, [[{ type: 'second' }]]);
  assert.deepEqual((await replayed({ filename: file, run: 'one' })).got, [[{ type: 'first' }]]);
  assert.deepEqual((await replayed({ filename: file, run: 'three' })).got, []);
});
