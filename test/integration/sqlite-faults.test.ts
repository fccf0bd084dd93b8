import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import {
  printedKeys,
  pythonLock,
  pythonRead,
  rowKeys,
  run,
  statsOf,
  type PythonRow,
} from '../helpers/stores.js';
import { waitUntil } from '../helpers/wait.js';

// The faults a SQLite file meets in a lab: another program holding the write lock, its
// directory removed, a full disk. Each is reported with the path, counted, and survived; the
// records wait in the bounded buffer and are written when the fault clears.

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function graph(db: string): string {
  return `digraph {
    walk [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1], [100, 0.5]]"];
    stamp [class=TimeStampDataFilter];
    print [class=PrintDataSink];
    db [class=SQLiteDataSink, filename="${db}", flush_interval=0.05, batch_size=40,
        busy_timeout=0.02, retry_min=0.05, retry_max=0.3];
    walk -> stamp -> print;
    stamp -> db;
  }`;
}

async function rows(db: string): Promise<PythonRow[]> {
  return (await pythonRead(db).catch(() => undefined))?.records ?? [];
}

async function waitForRows(db: string, count: number, daemon: DaemonProcess): Promise<void> {
  await waitUntil(async () => (await rows(db)).length >= count, `${count} rows in ${db}`, {
    timeoutMs: 20_000,
    detail: () => daemon.stderr,
  });
}

function assertNoLoss(daemon: DaemonProcess): void {
  const stats = statsOf(daemon, 'db');
  assert.equal(stats.records_overflowed ?? 0, 0);
  assert.equal(stats.records_rejected ?? 0, 0);
  assert.equal(stats.records_unsent_at_close ?? 0, 0);
  assert.ok((stats.store_write_failures ?? 0) >= 1, 'the fault was counted');
  assert.equal(stats.records_written, stats.records_received);
}

describe('SQLiteDataSink faults', () => {
  test('the file locked by another process (Python holding the write lock): reported, retried, nothing lost', async () => {
    const db = join(sandbox.dir, 'locked.db');
    const daemon = new DaemonProcess(['-g', graph(db)], sandbox.env);
    try {
      await waitForRows(db, 20, daemon);
      const locker = await pythonLock(db, 1.5);
      await daemon.waitForStderr(
        new RegExp(
          `\\[DATALOGD_ERR_STORE_WRITE_FAILED\\] Cannot write to ${db}: the database is locked by another connection \\(SQLITE_BUSY`,
        ),
      );
      assert.equal(await locker.finished(), 0, locker.stderr);
      const target = printedKeys(daemon).length;
      await waitForRows(db, target, daemon);
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    }
    assert.deepEqual(rowKeys(await rows(db)), printedKeys(daemon));
    assertNoLoss(daemon);
  });

  test('the directory removed: reported with the path, rows kept and written to a new file when it is back', async () => {
    const dir = join(sandbox.dir, 'removed');
    const db = join(dir, 'lab.db');
    await mkdir(dir);
    const daemon = new DaemonProcess(['-g', graph(db)], sandbox.env);
    try {
      await waitForRows(db, 20, daemon);
      await rm(dir, { recursive: true });
      await daemon.waitForStderr(
        new RegExp(
          `\\[DATALOGD_ERR_STORE_WRITE_FAILED\\] Cannot write to ${db}: the database file was removed or replaced`,
        ),
      );
      // While the directory is missing the file cannot be made again; the log says where.
      await daemon.waitForStderr(/cannot open the database: .*directory does not exist/, 15_000);
      const printedWhileGone = printedKeys(daemon).length;
      await mkdir(dir);
      await waitForRows(db, 1, daemon);
      await daemon.waitFor(
        () => printedKeys(daemon).length > printedWhileGone + 20,
        'more records after the directory is back',
      );
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    }
    // The rows committed before the removal went with the removed file; every later one is
    // in the new file, once, in order, from the first that was not yet written.
    const after = await rows(db);
    const printed = printedKeys(daemon);
    const first = after[0]?.seq ?? 0;
    assert.ok(first > 20, `the new file starts after the rows of the old one (seq ${first})`);
    assert.deepEqual(rowKeys(after), printed.slice(first - 1));
    assert.deepEqual(
      after.map((r) => r.seq),
      after.map((_r, i) => first + i),
    );
    assertNoLoss(daemon);
  });

  test('a full filesystem (a 16 MiB tmpfs filled up): reported, retried, written once space is free', async (t) => {
    const mount = join(sandbox.dir, 'small-fs');
    await mkdir(mount);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
    } catch (err) {
      t.skip(`cannot mount a tmpfs here (needs root): ${String(err)}`);
      return;
    }
    const db = join(mount, 'lab.db');
    const filler = join(mount, 'filler');
    try {
      const daemon = new DaemonProcess(['-g', graph(db)], sandbox.env);
      try {
        await waitForRows(db, 20, daemon);
        await fillUp(filler);
        await daemon.waitForStderr(
          new RegExp(
            `\\[DATALOGD_ERR_STORE_WRITE_FAILED\\] Cannot write to ${db}: the disk is full`,
          ),
          15_000,
        );
        const printedWhileFull = printedKeys(daemon).length;
        await daemon.waitFor(
          () => printedKeys(daemon).length > printedWhileFull + 30,
          'records arriving while the disk is full',
        );
        await rm(filler);
        await waitForRows(db, printedKeys(daemon).length, daemon);
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.deepEqual(rowKeys(await rows(db)), printedKeys(daemon));
      assertNoLoss(daemon);
    } finally {
      await run('umount', [mount]).catch(() => run('umount', ['-l', mount]));
    }
    assert.equal(existsSync(db), false, 'nothing left on the unmounted mount point');
  });
});

/** Writes zeros to `file` until the filesystem has no space left. */
async function fillUp(file: string): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let i = 0; i < 4096; i++) await handle.write(chunk);
    throw new Error('the filesystem did not fill up');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
}
