import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { writeFixturePlugin } from '../helpers/influxd.js';
import { printedKeys, pythonRead, rowKeys, run, statsOf } from '../helpers/stores.js';
import { waitUntil } from '../helpers/wait.js';

// SQLite files written by the real daemon and read back by independent readers: Python's
// sqlite3 module (test/helpers/sqlite_peer.py) and Debian's `sqlite3` command, while the
// daemon is still writing.

let sandbox: Sandbox;
let pluginDir: string;
before(async () => {
  sandbox = await makeSandbox();
  pluginDir = join(sandbox.dir, 'plugins');
  await mkdir(pluginDir);
  await writeFixturePlugin(pluginDir);
});
after(async () => {
  await sandbox.cleanup();
});

const T0 = Date.parse('2024-05-06T07:08:09.123Z');

async function fixture(name: string, records: unknown[]): Promise<string> {
  const file = join(sandbox.dir, `${name}.json`);
  await writeFile(file, JSON.stringify(records));
  return file;
}

describe('SQLiteDataSink', () => {
  test('read by Python and the sqlite3 command while the daemon writes: every record once, values, µs times and extras exact', async () => {
    const dir = join(sandbox.dir, 'live');
    await mkdir(dir);
    const db = join(dir, 'lab.db');
    const file = await fixture('live', [
      {
        type: 'temperature',
        id: 'A',
        value: 21.5,
        units: 'C',
        timestamp: { $date: new Date(T0).toISOString() },
      },
      {
        type: 'pico',
        id: 'ch1',
        value: 'open circuit',
        probe: { kind: 'K', serial: 7 },
        timestamp: '2024-05-06T07:08:09.123456Z',
      },
      { type: 'door', value: true, ok: null, tags: ['a', 'b'] },
      'not a record',
    ]);
    const graph = `digraph {
      src [class=FixtureDataSource, file="${file}"];
      walk [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1], [100, 0.5]]"];
      stamp [class=TimeStampDataFilter];
      print [class=PrintDataSink];
      db [class=SQLiteDataSink, filename="${db}", run_id=live, flush_interval=0.1, batch_size=50];
      walk -> stamp -> print;
      stamp -> db;
      src -> db;
    }`;
    const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
    try {
      let seen = await pythonRead(db).catch(() => undefined);
      await waitUntil(
        async () => {
          seen = await pythonRead(db).catch(() => undefined);
          return (seen?.records.length ?? 0) >= 100;
        },
        '100 rows readable by Python while the daemon writes',
        { timeoutMs: 15_000, detail: () => daemon.stderr },
      );
      assert.equal(daemon.child.exitCode, null, 'the daemon is still writing');
      const fixtureRows = seen?.records.filter((r) => r.type !== 'analog') ?? [];
      assert.deepEqual(
        fixtureRows.map(({ time, time_us, run, stamped, type, id, value, units, extra }) => ({
          time,
          time_us,
          run,
          stamped,
          type,
          id,
          value,
          units,
          extra,
        })),
        [
          {
            time: '2024-05-06T07:08:09.123000Z',
            time_us: T0 * 1000,
            run: 'live',
            stamped: 1,
            type: 'temperature',
            id: 'A',
            value: 21.5,
            units: 'C',
            extra: null,
          },
          {
            time: '2024-05-06T07:08:09.123456Z',
            time_us: T0 * 1000 + 456,
            run: 'live',
            stamped: 1,
            type: 'pico',
            id: 'ch1',
            value: null,
            units: null,
            extra:
              '{"value":"open circuit","probe":{"kind":"K","serial":7},"timestamp":"2024-05-06T07:08:09.123456Z"}',
          },
          {
            time: fixtureRows[2]?.time ?? '',
            time_us: fixtureRows[2]?.time_us ?? 0,
            run: 'live',
            stamped: 0,
            type: 'door',
            id: null,
            value: 1,
            units: null,
            extra: '{"value":true,"ok":null,"tags":["a","b"]}',
          },
        ],
      );
      // The receipt time of a record without a timestamp: recent, and its text agrees.
      const receiptUs = fixtureRows[2]?.time_us ?? 0;
      assert.ok(Math.abs(receiptUs / 1000 - Date.now()) < 60_000);
      assert.equal(Date.parse(fixtureRows[2]?.time ?? '') * 1000, receiptUs);
      // Debian's sqlite3 command reads it at the same time, JSON functions included.
      const cli = await run('sqlite3', [
        '-readonly',
        db,
        "SELECT (SELECT count(*) FROM records) >= 100, json_extract(extra, '$.probe.kind') FROM records WHERE id = 'ch1'",
      ]);
      assert.equal(cli.trim(), '1|K');
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    }
    // Closed cleanly: the WAL was checkpointed into the file and removed (a read-only
    // reader, as below, makes its own again).
    assert.deepEqual((await readdir(dir)).sort(), ['lab.db']);
    const stored = await pythonRead(db);
    const walk = stored.records.filter((r) => r.type === 'analog');
    const printed = printedKeys(daemon);
    assert.ok(printed.length >= 100);
    assert.deepEqual(rowKeys(walk), printed, 'every printed record once, in order, exact');
    assert.deepEqual(
      stored.records.map((r) => r.seq),
      stored.records.map((_r, i) => i + 1),
    );
    assert.deepEqual(stored.runs, [{ run_no: 1, run: 'live' }]);
    const stats = statsOf(daemon, 'db');
    assert.equal(stats.records_written, printed.length + 3);
    assert.equal(stats.items_skipped, 1);
    assert.match(daemon.stderr, /\[DATALOGD_ERR_STORE_NOT_RECORD\]/);
  });

  test('close() commits what is buffered: a long flush interval loses nothing at stop', async () => {
    const db = join(sandbox.dir, 'close.db');
    const graph = `digraph {
      walk [class=RandomWalkDataSource, interval=0.01];
      stamp [class=TimeStampDataFilter];
      print [class=PrintDataSink];
      db [class=SQLiteDataSink, filename="${db}", flush_interval=600, batch_size=100000];
      walk -> stamp -> print;
      stamp -> db;
    }`;
    const daemon = new DaemonProcess(['-g', graph], sandbox.env);
    try {
      await daemon.waitFor(() => printedKeys(daemon).length >= 60, '60 records printed');
      const early = await pythonRead(db).catch(() => ({ records: [] }));
      assert.equal(early.records.length, 0, 'nothing committed yet: the batch is still open');
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    }
    const printed = printedKeys(daemon);
    assert.deepEqual(rowKeys((await pythonRead(db)).records), printed);
    assert.equal(statsOf(daemon, 'db').records_written, printed.length);
  });

  test('keep deletes rows older than the retention, in the background, and counts them', async () => {
    const db = join(sandbox.dir, 'keep.db');
    const old = Array.from({ length: 2500 }, (_v, i) => ({
      type: 'old',
      id: String(i),
      value: i,
      timestamp: { $date: new Date(T0 + i).toISOString() },
    }));
    const file = await fixture('keep', old);
    const graph = `digraph {
      src [class=FixtureDataSource, file="${file}"];
      walk [class=RandomWalkDataSource, interval=0.05];
      stamp [class=TimeStampDataFilter];
      db [class=SQLiteDataSink, filename="${db}", keep="10s", flush_interval=0.1];
      src -> db;
      walk -> stamp -> db;
    }`;
    const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
    try {
      await waitUntil(
        async () => {
          const rows = (await pythonRead(db).catch(() => undefined))?.records;
          return rows !== undefined && rows.length >= 10 && rows.every((r) => r.type === 'analog');
        },
        'the old rows deleted and new ones kept',
        { timeoutMs: 15_000, detail: () => daemon.stderr },
      );
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    }
    assert.equal(statsOf(daemon, 'db').rows_expired, 2500);
  });
});
