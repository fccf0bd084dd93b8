import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { SQLiteDataSink } from '../../../../../src/plugins/sinks/sqlite/index.js';
import { schema } from '../../../../../src/plugins/sinks/sqlite/options.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

const log = captureLogEachTest();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-sqlite-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('counters and gauges show from the start; close() commits what is buffered', async () => {
  const file = join(dir, 'a.db');
  const sink = new SQLiteDataSink(schema.parse({ filename: file, flush_interval: 600 }));
  assert.deepEqual(sink.stats(), {
    records_received: 0,
    records_written: 0,
    items_skipped: 0,
    timestamps_unusable: 0,
    records_overflowed: 0,
    records_rejected: 0,
    records_unsent_at_close: 0,
    store_write_failures: 0,
    rows_expired: 0,
    retention_failures: 0,
    records_buffered: 0,
    buffered_bytes: 0,
  });
  sink.start();
  sink.receive([{ type: 'a', value: 1 }, 42, { type: 'b', timestamp: 'soon' }]);
  sink.receive(null);
  sink.receive([]);
  assert.equal(sink.stats().records_buffered, 2);
  assert.ok((sink.stats().buffered_bytes ?? 0) > 128);
  await sink.close();
  const stats = sink.stats();
  assert.equal(stats.records_received, 3);
  assert.equal(stats.records_written, 2);
  assert.equal(stats.items_skipped, 1);
  assert.equal(stats.timestamps_unusable, 1);
  assert.equal(stats.records_buffered, 0);
  assert.equal(log.current.withCode('DATALOGD_ERR_STORE_NOT_RECORD').length, 1);
  assert.equal(log.current.withCode('DATALOGD_ERR_STORE_BAD_TIMESTAMP').length, 1);
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT type, stamped, extra FROM records ORDER BY seq').all(), [
    { type: 'a', stamped: 0, extra: null },
    { type: 'b', stamped: 0, extra: '{"timestamp":"soon"}' },
  ]);
  db.close();
  assert.equal(sink.path, file);
});

test('the default run id is the start time; run_id sets it', async () => {
  const sink = new SQLiteDataSink(schema.parse({ filename: join(dir, 'b.db') }));
  assert.match(sink.run.run, /^\d{8}-\d{6}$/);
  const named = new SQLiteDataSink(schema.parse({ filename: join(dir, 'c.db'), run_id: 'cal' }));
  assert.equal(named.run.run, 'cal');
  await sink.close();
  await named.close();
});

test('option mistakes are reported on the option', () => {
  const issue = (o: Record<string, unknown>): string =>
    schema.safeParse({ filename: 'x.db', ...o }).error?.issues[0]?.message ?? '';
  assert.match(issue({ keep: '30 days' }), /must be a duration such as "30d"/);
  assert.match(issue({ busy_timeout: 10 }), /at most 5 seconds/);
  assert.match(issue({ synchronous: 'sometimes' }), /off|normal|full/);
  assert.equal(schema.parse({ filename: 'x.db', keep: '30d' }).keep, 2_592_000);
  assert.equal(schema.safeParse({}).success, false, 'filename is required');
});
