import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  listSeries,
  nextNumber,
  numberedPath,
  pruneSeries,
  timestampedPath,
} from '../../../src/io/file-series.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datalogd-series-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function directoryWith(names: readonly string[]): Promise<string> {
  counter += 1;
  const sub = path.join(dir, `d${counter}`);
  await mkdir(sub);
  for (const name of names) await writeFile(path.join(sub, name), name);
  return sub;
}

const base = (members: readonly { path: string }[]): string[] =>
  members.map((m) => path.basename(m.path));

describe('series names', () => {
  test('numbered: the number goes before the extension, or at the end without one', () => {
    assert.equal(numberedPath('data.csv', 3), 'data.3.csv');
    assert.equal(numberedPath('/var/lib/x/data.csv', 12), '/var/lib/x/data.12.csv');
    assert.equal(numberedPath('data', 1), 'data.1');
    assert.equal(numberedPath('archive.tar.gz', 2), 'archive.tar.2.gz');
    assert.equal(numberedPath('.hidden', 1), '.hidden.1');
  });

  test("stamped: Python's prefix, and -N for more files in the same second", () => {
    const when = new Date(2023, 0, 2, 3, 4, 5);
    assert.equal(
      timestampedPath('logs/data.csv', when),
      path.join('logs', '2023-01-02_03-04-05_data.csv'),
    );
    assert.equal(timestampedPath('data.csv', when, 2), '2023-01-02_03-04-05-2_data.csv');
  });
});

describe('listSeries', () => {
  test('numbered: members by number (not as text), look-alikes left out', async () => {
    const sub = await directoryWith([
      'data.csv',
      'data.10.csv',
      'data.2.csv',
      'data.1.csv',
      'data.x.csv',
      'data.csv.1',
      'data.3.csv.bak',
      'other.1.csv',
      'xdata.4.csv',
    ]);
    const members = await listSeries(path.join(sub, 'data.csv'), 'numbered');
    assert.deepEqual(base(members), ['data.1.csv', 'data.2.csv', 'data.10.csv']);
    assert.equal(nextNumber(members), 11);
    assert.equal(nextNumber([]), 1);
  });

  test('stamped: oldest first, a second file of a second after the first, the base name exact', async () => {
    const sub = await directoryWith([
      '2024-05-09_14-00-00_log.csv',
      '2024-05-09_13-59-59-2_log.csv',
      '2024-05-09_13-59-59-10_log.csv',
      '2024-05-09_13-59-59_log.csv',
      '2023-12-31_23-00-00_log.csv',
      '2024-05-09_13-59-59_log.csv.bak',
      '2024-05-09_13-59-59_xlog.csv',
      '2024-5-09_13-59-59_log.csv',
      'log.csv',
    ]);
    const members = await listSeries(path.join(sub, 'log.csv'), 'stamped');
    assert.deepEqual(base(members), [
      '2023-12-31_23-00-00_log.csv',
      '2024-05-09_13-59-59_log.csv',
      '2024-05-09_13-59-59-2_log.csv',
      '2024-05-09_13-59-59-10_log.csv',
      '2024-05-09_14-00-00_log.csv',
    ]);
  });

  test('characters that mean something in a pattern are matched as themselves', async () => {
    const sub = await directoryWith(['a+b(1).1.csv', 'aab(1).2.csv', 'a+b(1).csv']);
    const members = await listSeries(path.join(sub, 'a+b(1).csv'), 'numbered');
    assert.deepEqual(base(members), ['a+b(1).1.csv']);
  });
});

describe('pruneSeries', () => {
  test('deletes the oldest beyond keep, never the current file', async () => {
    const sub = await directoryWith(['data.1.csv', 'data.2.csv', 'data.3.csv', 'data.csv']);
    const filename = path.join(sub, 'data.csv');
    const result = await pruneSeries(await listSeries(filename, 'numbered'), 1, filename);
    assert.deepEqual(
      result.removed.map((p) => path.basename(p)),
      ['data.1.csv', 'data.2.csv'],
    );
    assert.deepEqual(result.failed, []);
    assert.deepEqual((await readdir(sub)).sort(), ['data.3.csv', 'data.csv']);
  });

  test('in a stamped series the file being written is a member but is neither counted nor deleted', async () => {
    const sub = await directoryWith([
      '2024-01-01_00-00-00_log.csv',
      '2024-01-02_00-00-00_log.csv',
      '2024-01-03_00-00-00_log.csv',
    ]);
    const current = path.join(sub, '2024-01-01_00-00-00_log.csv');
    const members = await listSeries(path.join(sub, 'log.csv'), 'stamped');
    await pruneSeries(members, 1, current);
    assert.deepEqual((await readdir(sub)).sort(), [
      '2024-01-01_00-00-00_log.csv',
      '2024-01-03_00-00-00_log.csv',
    ]);
  });

  test('a file gone already is not a failure; one that cannot be deleted is', async () => {
    const sub = await directoryWith(['data.2.csv', 'data.csv']);
    await mkdir(path.join(sub, 'data.1.csv'));
    const filename = path.join(sub, 'data.csv');
    const members = await listSeries(filename, 'numbered');
    await rm(path.join(sub, 'data.2.csv'));
    const result = await pruneSeries(members, 0, filename);
    assert.deepEqual(result.removed, []);
    assert.equal(result.failed.length, 1);
    assert.equal(path.basename(result.failed[0]?.path ?? ''), 'data.1.csv');
  });
});
