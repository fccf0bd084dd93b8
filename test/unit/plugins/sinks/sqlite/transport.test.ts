import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { WriteFailure } from '../../../../../src/io/batch-writer.js';
import { RowMaker } from '../../../../../src/io/record-table.js';
import type { RunInfo } from '../../../../../src/io/record-store-sink.js';
import { SQLiteTransport } from '../../../../../src/plugins/sinks/sqlite/transport.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-sqlite-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RUN: RunInfo = {
  run: 'r1',
  startedUs: 1_700_000_000_000_000,
  host: 'lab-pc',
  pid: 42,
  startKey: 'key-1',
};

function transport(filename: string): SQLiteTransport {
  return new SQLiteTransport({ filename, run: RUN, busyTimeoutMs: 10, synchronous: 'normal' });
}

function rows(count: number, timeUs = 1_000_000): ReturnType<RowMaker['row']>['row'][] {
  const maker = new RowMaker();
  maker.beginReceipt();
  return Array.from({ length: count }, (_v, i) => ({
    ...maker.row({ type: 't', id: String(i), value: i }).row,
    timeUs: timeUs + i,
  }));
}

async function failure(promise: Promise<void>): Promise<WriteFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof WriteFailure, String(err));
    return err;
  }
  assert.fail('expected the call to fail');
}

test('prepare makes the layout (version 1, WAL), registers the run once, write inserts in one transaction', async () => {
  const file = join(dir, 'a.db');
  const t = transport(file);
  await t.prepare();
  await t.write(rows(3));
  // Opened again (after a failure): the same run, not a second one.
  await t.prepare();
  await t.write(rows(1, 5_000_000).map((r) => ({ ...r, seq: 4 })));
  t.close();
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(db.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }]);
    assert.deepEqual(db.prepare('SELECT run_no, run, host, pid, start_key FROM runs').all(), [
      { run_no: 1, run: 'r1', host: 'lab-pc', pid: 42, start_key: 'key-1' },
    ]);
    assert.deepEqual(
      db.prepare('SELECT run, run_no, seq, id, value, time FROM records ORDER BY seq').all(),
      [
        { run: 'r1', run_no: 1, seq: 1, id: '0', value: 0, time: '1970-01-01T00:00:01.000000Z' },
        { run: 'r1', run_no: 1, seq: 2, id: '1', value: 1, time: '1970-01-01T00:00:01.000001Z' },
        { run: 'r1', run_no: 1, seq: 3, id: '2', value: 2, time: '1970-01-01T00:00:01.000002Z' },
        { run: 'r1', run_no: 1, seq: 4, id: '0', value: 0, time: '1970-01-01T00:00:05.000000Z' },
      ],
    );
  } finally {
    db.close();
  }
  assert.equal(t.target, file);
});

test('times before 1970 print right in the time column', async () => {
  const file = join(dir, 'old.db');
  const t = transport(file);
  await t.prepare();
  await t.write(rows(1, -1));
  t.close();
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT time FROM records').get(), {
    time: '1969-12-31T23:59:59.999999Z',
  });
  db.close();
});

test('a write lock held by another connection: the batch fails as retriable, and goes in once it is released', async () => {
  const file = join(dir, 'locked.db');
  const t = transport(file);
  await t.prepare();
  const other = new Database(file);
  other.prepare('BEGIN IMMEDIATE').run();
  const locked = await failure(t.write(rows(2)));
  assert.equal(locked.kind, 'unavailable');
  assert.equal(locked.needsPrepare, false);
  assert.match(locked.message, /locked by another connection \(SQLITE_BUSY/);
  other.prepare('COMMIT').run();
  await t.write(rows(2));
  assert.deepEqual(other.prepare('SELECT count(*) AS n FROM records').get(), { n: 2 });
  other.close();
  t.close();
});

test('the file removed under the open connection is noticed before the next batch', async () => {
  const file = join(dir, 'gone.db');
  const t = transport(file);
  await t.prepare();
  await t.write(rows(1));
  await rm(file);
  const gone = await failure(t.write(rows(1)));
  assert.equal(gone.needsPrepare, true);
  assert.match(gone.message, /removed or replaced/);
  await t.prepare();
  await t.write(rows(2));
  t.close();
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT count(*) AS n FROM records').get(), { n: 2 });
  db.close();
});

test('a missing directory fails the open with the path; a newer layout is left alone', async () => {
  const missing = transport(join(dir, 'no-such-dir', 'a.db'));
  const failed = await failure(missing.prepare());
  assert.equal(failed.kind, 'unavailable');
  assert.match(failed.message, /directory does not exist/);
  const file = join(dir, 'newer.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_version (version INTEGER, applied_us INTEGER, applied_by TEXT)');
  db.prepare('INSERT INTO schema_version VALUES (2, 0, ?)').run('the future');
  db.close();
  const newer = await failure(transport(file).prepare());
  assert.match(newer.message, /layout version 2, written by a newer datalogd/);
});

test('deleteOlder deletes at most the limit, oldest first by time', async () => {
  const file = join(dir, 'keep.db');
  const t = transport(file);
  assert.equal(t.deleteOlder(10, 10), undefined, 'not open yet');
  await t.prepare();
  await t.write(rows(5, 100));
  assert.equal(t.deleteOlder(103, 2), 2);
  assert.equal(t.deleteOlder(103, 2), 1);
  assert.equal(t.deleteOlder(103, 2), 0);
  t.close();
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT time_us FROM records ORDER BY time_us').all(), [
    { time_us: 103 },
    { time_us: 104 },
  ]);
  db.close();
});
