import assert from 'node:assert/strict';
import {
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RecordFile, type WriteFunction } from '../../../src/io/record-file.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datalogd-record-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
function freshPath(): string {
  counter += 1;
  return path.join(dir, `f${counter}.txt`);
}

/**
 * A disk with `free` bytes left: a write takes what fits and reports it, the next one
 * fails with ENOSPC, as a real full filesystem does (test/integration/sinks-faults.test.ts
 * does the same on a real 64 KiB tmpfs).
 */
function diskWithRoom(free: { bytes: number }): WriteFunction {
  return async (handle, buffer, offset, length, position) => {
    if (free.bytes <= 0) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    const n = Math.min(length, free.bytes);
    free.bytes -= n;
    return handle.write(buffer, offset, n, position);
  };
}

describe('RecordFile', () => {
  test('appends whole records and knows its size', async () => {
    const file = await RecordFile.open(freshPath(), 'w');
    assert.deepEqual(await file.append(['a\n', 'bb\n']), { written: 2 });
    assert.deepEqual(await file.append([]), { written: 0 });
    assert.equal(file.size, 5);
    await file.close();
    assert.equal(await readFile(file.path, 'utf8'), 'a\nbb\n');
  });

  test("in mode 'a' the size starts at what the file held", async () => {
    const name = freshPath();
    await writeFile(name, 'old\n');
    const file = await RecordFile.open(name, 'a');
    assert.equal(file.size, 4);
    await file.append(['new\n']);
    await file.close();
    assert.equal(await readFile(name, 'utf8'), 'old\nnew\n');
  });

  for (const flags of ['w', 'a']) {
    test(`flags '${flags}': a write torn by a full disk is cut back to the last whole record`, async () => {
      const free = { bytes: 10 };
      const file = await RecordFile.open(freshPath(), flags, { write: diskWithRoom(free) });
      // 'r1\n' and 'r2\n' fit (6 bytes), 'record3\n' is torn after 4 of its 8 bytes.
      const result = await file.append(['r1\n', 'r2\n', 'record3\n', 'r4\n']);
      assert.equal(result.written, 2);
      assert.match(String(result.error), /ENOSPC/);
      assert.equal(result.rollbackError, undefined);
      assert.equal(await readFile(file.path, 'utf8'), 'r1\nr2\n');
      assert.equal(file.size, 6);
      // Space again: the next record follows the last whole one, not glued to a torn one,
      // and with no hole where the torn bytes were.
      free.bytes = 100;
      assert.deepEqual(await file.append(['r5\n']), { written: 1 });
      await file.close();
      assert.equal(await readFile(file.path, 'utf8'), 'r1\nr2\nr5\n');
    });
  }

  test('a write that fails at once leaves the file as it was', async () => {
    const file = await RecordFile.open(freshPath(), 'w', { write: diskWithRoom({ bytes: 0 }) });
    const result = await file.append(['x\n']);
    assert.equal(result.written, 0);
    assert.ok(result.error !== undefined);
    await file.close();
    assert.equal(await readFile(file.path, 'utf8'), '');
  });

  test('a write that makes no progress is a failure, not a loop', async () => {
    const file = await RecordFile.open(freshPath(), 'w', {
      write: () => Promise.resolve({ bytesWritten: 0 }),
    });
    const result = await file.append(['x\n']);
    assert.equal(result.written, 0);
    assert.match(String(result.error), /no progress/);
    await file.close();
  });

  test('multi-byte records are counted in bytes', async () => {
    const free = { bytes: 5 };
    const file = await RecordFile.open(freshPath(), 'w', { write: diskWithRoom(free) });
    // 'é\n' is 3 bytes; the second is torn after 2.
    const result = await file.append(['é\n', 'é\n']);
    assert.equal(result.written, 1);
    await file.close();
    assert.equal(await readFile(file.path, 'utf8'), 'é\n');
  });

  test('presence: present, removed, replaced, and removed with its directory', async () => {
    const name = freshPath();
    const file = await RecordFile.open(name, 'w');
    assert.equal(await file.presence(), 'present');
    await unlink(name);
    assert.equal(await file.presence(), 'removed');
    await file.close();

    const rotated = freshPath();
    const second = await RecordFile.open(rotated, 'w');
    await rename(rotated, `${rotated}.1`);
    await writeFile(rotated, '');
    assert.equal(await second.presence(), 'replaced');
    await second.close();

    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    const third = await RecordFile.open(path.join(sub, 'x'), 'w');
    await rm(sub, { recursive: true });
    assert.equal(await third.presence(), 'removed');
    await third.close();
  });

  test('sync() waits for the data to reach the disk and needs the file open', async () => {
    const file = await RecordFile.open(freshPath(), 'w');
    await file.append(['synced\n']);
    await file.sync();
    await file.append(['after\n']);
    await file.close();
    assert.equal(await readFile(file.path, 'utf8'), 'synced\nafter\n');
    await assert.rejects(file.sync(), 'a closed file cannot be synced');
  });

  test("truncated by another program (copytruncate): 'truncated', and the next record at the new end, no NUL hole", async () => {
    for (const flags of ['w', 'a']) {
      const name = freshPath();
      const file = await RecordFile.open(name, flags);
      await file.append(['first record\n', 'second record\n']);
      await truncate(name, 0);
      assert.equal(await file.presence(), 'truncated', flags);
      assert.equal(file.size, 0);
      assert.equal(await file.presence(), 'present', 'said once');
      await file.append(['after\n']);
      await file.close();
      assert.equal(await readFile(name, 'utf8'), 'after\n', flags);
    }
  });

  test('a write goes to the end even when the file was cut between the look and the write', async () => {
    const name = freshPath();
    const file = await RecordFile.open(name, 'w');
    await file.append(['0123456789\n']);
    await truncate(name, 0);
    // No presence() in between: the file still thinks it is 11 bytes long.
    await file.append(['x\n']);
    await file.close();
    assert.equal(await readFile(name, 'utf8'), 'x\n');
  });
});
