import assert from 'node:assert/strict';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import { DatalogdError } from '../../../../src/core/errors.js';
import type { WriteFunction } from '../../../../src/io/record-file.js';
import {
  FILE_BUFFER_LIMIT_BYTES,
  FileDataSink,
  timestampedPath,
} from '../../../../src/plugins/sinks/file.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

let dir: string;
const log = captureLogEachTest();

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datalogd-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
});
afterEach(() => {
  mock.timers.reset();
});

let fileCounter = 0;
function freshPath(): string {
  fileCounter += 1;
  return path.join(dir, `out-${fileCounter}.csv`);
}

function makeSink(options: Record<string, unknown>, write?: WriteFunction): FileDataSink {
  return new FileDataSink(
    FileDataSink.optionsSchema.parse(options),
    write === undefined ? {} : { write },
  );
}

/**
 * A disk with `free.bytes` left, as a full filesystem behaves: a write takes what fits,
 * the next fails with ENOSPC. The real thing, a 64 KiB tmpfs, is in
 * test/integration/sinks-faults.test.ts.
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

function lineCount(text: string): number {
  return text.split('\n').length - 1;
}

async function contents(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

describe('FileDataSink, buffered (numeric flush_interval)', () => {
  test('writes the header at start and the data one flush_interval after a write', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, header: 'time,value\n' });
    await sink.start();
    assert.equal(await contents(filename), 'time,value\n');
    sink.receive('t1,1');
    sink.receive('t2,2');
    await sink.settled();
    assert.equal(await contents(filename), 'time,value\n', 'nothing before the interval');
    mock.timers.tick(9_999);
    await sink.settled();
    assert.equal(await contents(filename), 'time,value\n');
    mock.timers.tick(1);
    await sink.settled();
    assert.equal(await contents(filename), 'time,value\nt1,1\nt2,2\n');
    sink.receive('t3,3');
    await sink.close();
    assert.equal(await contents(filename), 'time,value\nt1,1\nt2,2\nt3,3\n');
    assert.deepEqual(sink.stats(), {
      records_received: 3,
      records_written: 3,
      records_dropped: 0,
      write_errors: 0,
      file_removals: 0,
      unencodable: 0,
      buffered_bytes: 0,
      files_rotated: 0,
      rotation_errors: 0,
    });
  });

  test('flush_interval=0 writes after every receipt', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: 0, terminator: ';' });
    await sink.start();
    sink.receive('a');
    await sink.settled();
    assert.equal(await contents(filename), 'a;');
    sink.receive('b');
    await sink.settled();
    assert.equal(await contents(filename), 'a;b;');
    await sink.close();
  });

  test('flush_interval<0 holds data until 64 KiB or close', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: -1 });
    await sink.start();
    sink.receive('small');
    mock.timers.tick(60_000);
    await sink.settled();
    assert.equal(await contents(filename), '');
    const big = 'x'.repeat(64 * 1024);
    sink.receive(big);
    await sink.settled();
    assert.equal(await contents(filename), `small\n${big}\n`);
    sink.receive('tail');
    await sink.close();
    assert.equal(await contents(filename), `small\n${big}\ntail\n`);
  });

  test('the content is complete after close, in order', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename });
    await sink.start();
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      sink.receive(`${i},${i * 2}`);
      expected.push(`${i},${i * 2}\n`);
    }
    await sink.close();
    assert.equal(await contents(filename), expected.join(''));
    assert.equal(sink.stats().records_written, 20_000);
  });

  test("mode 'w' replaces, mode 'a' appends to an existing file", async () => {
    const filename = freshPath();
    await writeFile(filename, 'old\n');
    const append = makeSink({ filename, mode: 'a', header: 'H\n' });
    await append.start();
    append.receive('new');
    await append.close();
    assert.equal(await contents(filename), 'old\nH\nnew\n');
    const overwrite = makeSink({ filename, mode: 'w' });
    await overwrite.start();
    overwrite.receive('only');
    await overwrite.close();
    assert.equal(await contents(filename), 'only\n');
  });

  test("mode 'x' refuses to start on an existing file and works on a new one", async () => {
    const existing = freshPath();
    await writeFile(existing, 'keep me');
    for (const flush_interval of [10, null]) {
      const sink = makeSink({ filename: existing, mode: 'x', flush_interval });
      await assert.rejects(sink.start(), (err: unknown) => {
        assert.ok(err instanceof DatalogdError);
        assert.equal(err.code, 'DATALOGD_ERR_NODE_START');
        assert.equal(err.option, 'mode');
        return true;
      });
      await sink.close();
    }
    assert.equal(await contents(existing), 'keep me');
    const fresh = freshPath();
    const sink = makeSink({ filename: fresh, mode: 'x' });
    await sink.start();
    sink.receive('first');
    await sink.close();
    assert.equal(await contents(fresh), 'first\n');
  });

  test('data that is not text is written as JSON', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename });
    await sink.start();
    sink.receive([{ id: 'a', value: 1, timestamp: new Date('2024-05-09T00:00:00.000Z') }]);
    await sink.close();
    assert.equal(
      await contents(filename),
      '[{"id":"a","value":1,"timestamp":"2024-05-09T00:00:00.000Z"}]\n',
    );
  });

  test('long integers keep their digits', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename });
    await sink.start();
    sink.receive([{ timestamp: 1715212800123456789n, value: 1 }]);
    await sink.close();
    assert.equal(await contents(filename), '[{"timestamp":1715212800123456789,"value":1}]\n');
  });

  test('data too deep or cyclic to encode is counted and skipped, never written as garbage', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: 0 });
    await sink.start();
    const cyclic: Record<string, unknown> = { id: 'c' };
    cyclic.self = cyclic;
    sink.receive(JSON.parse('['.repeat(5000) + ']'.repeat(5000)));
    sink.receive([cyclic]);
    sink.receive('after');
    await sink.close();
    assert.equal(await contents(filename), 'after\n');
    const stats = sink.stats();
    assert.equal(stats.unencodable, 2);
    assert.equal(stats.records_written, 1);
    assert.equal(stats.records_received, 3);
    const reports = log.current.withCode('DATALOGD_ERR_UNENCODABLE');
    assert.equal(reports.length, 2, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*nested too deeply.*\(1 so far\)/);
    assert.match(reports[1] ?? '', /a cycle.*\(2 so far\)/);
  });

  test('a full disk: the torn record is cut off, the rest counted, records_written == lines', async () => {
    const filename = freshPath();
    const free = { bytes: 45 };
    const sink = makeSink({ filename, flush_interval: -1, header: 'H\n' }, diskWithRoom(free));
    await sink.start();
    // 2 bytes of header, then records of 9 bytes: four fit (38 of 45), the fifth is torn.
    for (let i = 0; i < 8; i++) sink.receive(`record-${i}`);
    await sink.flush();
    assert.equal(
      await contents(filename),
      'H\n' + [0, 1, 2, 3].map((i) => `record-${i}\n`).join(''),
    );
    assert.equal(sink.stats().records_written, 4);
    assert.equal(sink.stats().records_dropped, 4);
    // The disk has room again: writing goes on after the last whole record.
    free.bytes = 1000;
    sink.receive('record-8');
    await sink.close();
    const text = await contents(filename);
    assert.equal(text.split('\n').at(-2), 'record-8', 'not glued to a torn record');
    assert.equal(lineCount(text) - 1, sink.stats().records_written, 'lines after the header');
    assert.equal(sink.stats().records_written, 5);
    assert.match(
      log.current.withCode('DATALOGD_ERR_FILE_WRITE').join('\n'),
      / ERROR .*cannot write to .*ENOSPC/,
    );
    assert.match(
      log.current.withCode('DATALOGD_ERR_FILE_DROPPED').join('\n'),
      /dropped 4 records: the write failed/,
    );
  });

  test('a file removed while open is reported and made anew, with the header', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: 0, header: 'H\n' });
    await sink.start();
    sink.receive('one');
    await sink.settled();
    await unlink(filename);
    sink.receive('two');
    await sink.settled();
    assert.equal(await contents(filename), 'H\ntwo\n');
    sink.receive('three');
    await sink.close();
    assert.equal(await contents(filename), 'H\ntwo\nthree\n');
    assert.equal(sink.stats().file_removals, 1);
    assert.equal(sink.stats().records_written, 3);
    const reports = log.current.withCode('DATALOGD_ERR_FILE_REMOVED');
    assert.equal(reports.length, 1, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*was removed while open; opening it anew/);
  });

  test('a file rotated away is reported; the new file at the path is appended to, not emptied', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: 0, header: 'H\n' });
    await sink.start();
    sink.receive('one');
    await sink.settled();
    await rename(filename, `${filename}.1`);
    await writeFile(filename, 'made by logrotate\n');
    sink.receive('two');
    await sink.close();
    assert.equal(await contents(`${filename}.1`), 'H\none\n');
    assert.equal(
      await contents(filename),
      'made by logrotate\ntwo\n',
      'no header on a file with content',
    );
    assert.match(
      log.current.withCode('DATALOGD_ERR_FILE_REMOVED').join('\n'),
      /was replaced by another file while open/,
    );
  });

  test('a file truncated by another program (copytruncate) gets the header again and no NUL hole', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: 0, header: 'H\n' });
    await sink.start();
    sink.receive('one');
    await sink.settled();
    await copyFile(filename, `${filename}.1`);
    await truncate(filename, 0);
    sink.receive('two');
    await sink.close();
    assert.equal(await contents(`${filename}.1`), 'H\none\n');
    assert.equal(await contents(filename), 'H\ntwo\n');
    assert.equal(sink.stats().records_written, 2);
    assert.equal(sink.stats().file_removals, 0, 'not a removal');
    assert.match(log.current.text(), / INFO .*was truncated by another program; writing on/);
  });

  test('a removed directory is not made again: records are dropped and counted until it is back', async () => {
    const sub = path.join(dir, `gone-${fileCounter++}`);
    await mkdir(sub);
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, flush_interval: 0 });
    await sink.start();
    sink.receive('one');
    await sink.settled();
    await rm(sub, { recursive: true });
    sink.receive('two');
    await sink.settled();
    sink.receive('three');
    await sink.settled();
    assert.equal(sink.stats().file_removals, 1);
    assert.equal(sink.stats().records_dropped, 2);
    await mkdir(sub);
    sink.receive('four');
    await sink.close();
    assert.equal(await contents(filename), 'four\n');
    assert.equal(sink.stats().records_written, 2);
    assert.equal(sink.stats().file_removals, 1, 'reported once, not at each failed open');
  });

  test('a missing directory is logged and counted, not thrown', async () => {
    const filename = path.join(dir, 'no-such-dir', 'out.csv');
    const sink = makeSink({ filename, header: 'H\n' });
    await sink.start();
    sink.receive('a');
    sink.receive('b');
    await sink.close();
    const stats = sink.stats();
    assert.ok((stats.write_errors ?? 0) >= 2, `write_errors ${stats.write_errors}`);
    assert.equal(stats.records_dropped, 2);
    assert.equal(stats.records_written, 0);
    const writeErrors = log.current.withCode('DATALOGD_ERR_FILE_WRITE');
    assert.ok(writeErrors.length >= 2, log.current.text());
    assert.ok(writeErrors.every((l) => l.includes(' ERROR ')));
    assert.match(
      log.current.withCode('DATALOGD_ERR_FILE_DROPPED').join('\n'),
      /dropped 2 records: the file cannot be opened \(2 so far\)/,
      'the records lost with the file are counted and said',
    );
  });

  test('beyond the buffer bound, records are dropped and counted', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: -1 });
    await sink.start();
    sink.receive('x'.repeat(FILE_BUFFER_LIMIT_BYTES));
    sink.receive('kept');
    await sink.close();
    assert.equal(await contents(filename), 'kept\n');
    assert.equal(sink.stats().records_dropped, 1);
    const drops = log.current.withCode('DATALOGD_ERR_FILE_DROPPED');
    assert.equal(drops.length, 1, log.current.text());
    assert.match(drops[0] ?? '', / WARNING .*the write buffer is full/);
  });

  test('receipts after close are dropped', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename });
    await sink.start();
    await sink.close();
    sink.receive('late');
    await sink.settled();
    assert.equal(await contents(filename), '');
    assert.equal(sink.stats().records_dropped, 1);
    assert.equal(log.current.withCode('DATALOGD_ERR_FILE_DROPPED').length, 1);
  });

  test('buffered_bytes shows the unwritten text, in UTF-8 bytes, and falls to 0 once written', async () => {
    const filename = freshPath();
    const sink = makeSink({ filename });
    await sink.start();
    sink.receive('é');
    assert.equal(sink.stats().buffered_bytes, 3, "'é' is two bytes, the terminator one");
    await sink.flush();
    assert.equal(sink.stats().buffered_bytes, 0);
    await sink.close();
  });
});

describe('FileDataSink, per receipt (flush_interval=null)', () => {
  test("mode 'w': each receipt rewrites the file with header and data", async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: null, header: 'H\n' });
    await sink.start();
    sink.receive('one');
    await sink.settled();
    assert.equal(await contents(filename), 'H\none\n');
    sink.receive('two');
    sink.receive('three');
    await sink.close();
    assert.equal(await contents(filename), 'H\nthree\n');
    assert.equal(sink.stats().records_written, 3);
  });

  test("mode 'a': receipts accumulate, each with the header, never interleaved", async () => {
    const filename = freshPath();
    const sink = makeSink({ filename, flush_interval: null, mode: 'a', header: '#' });
    await sink.start();
    for (let i = 0; i < 50; i++) sink.receive(`r${i}`);
    await sink.close();
    const expected = Array.from({ length: 50 }, (_, i) => `#r${i}\n`).join('');
    assert.equal(await contents(filename), expected);
  });

  test("mode 'a': a receipt torn by a full disk is cut back with its header", async () => {
    const filename = freshPath();
    const free = { bytes: 9 };
    const sink = makeSink(
      { filename, flush_interval: null, mode: 'a', header: '#' },
      diskWithRoom(free),
    );
    await sink.start();
    sink.receive('r1'); // 4 bytes
    sink.receive('r2'); // 4 bytes
    sink.receive('r3'); // torn after 1 byte
    await sink.close();
    assert.equal(await contents(filename), '#r1\n#r2\n');
    assert.equal(sink.stats().records_written, 2);
    assert.equal(sink.stats().records_dropped, 1);
  });

  test('a missing directory is counted per receipt, not thrown', async () => {
    const filename = path.join(dir, 'missing', 'x.csv');
    const sink = makeSink({ filename, flush_interval: null });
    await sink.start();
    sink.receive('a');
    sink.receive('b');
    await sink.close();
    assert.equal(sink.stats().write_errors, 2);
    assert.equal(sink.stats().records_dropped, 2);
    assert.equal(log.current.withCode('DATALOGD_ERR_FILE_WRITE').length, 2);
    assert.equal(log.current.withCode('DATALOGD_ERR_FILE_DROPPED').length, 2);
  });
});

describe('FileDataSink, file names', () => {
  test('filename_timestamp prefixes the local start time to the base name', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 13, 5, 7).getTime());
    const sub = path.join(dir, 'stamped');
    await rm(sub, { recursive: true, force: true });
    await mkdir(sub);
    const sink = makeSink({ filename: path.join(sub, 'log.csv'), filename_timestamp: true });
    await sink.start();
    sink.receive('x');
    await sink.close();
    assert.equal(sink.path, path.join(sub, '2024-05-09_13-05-07_log.csv'));
    assert.deepEqual(await readdir(sub), ['2024-05-09_13-05-07_log.csv']);
  });

  test('timestampedPath keeps relative names relative', () => {
    const when = new Date(2023, 0, 2, 3, 4, 5);
    assert.equal(timestampedPath('data.csv', when), '2023-01-02_03-04-05_data.csv');
    assert.equal(
      timestampedPath('logs/data.csv', when),
      path.join('logs', '2023-01-02_03-04-05_data.csv'),
    );
  });

  test('filename is required, mode and flush_interval are checked', () => {
    const schema = FileDataSink.optionsSchema;
    assert.equal(schema.safeParse({}).success, false);
    assert.equal(schema.safeParse({ filename: '' }).success, false);
    assert.equal(schema.safeParse({ filename: 'a', mode: 'r' }).success, false);
    assert.equal(schema.safeParse({ filename: 'a', flush_interval: 'soon' }).success, false);
    // Longer than a timer can wait: refused rather than firing at once.
    assert.equal(schema.safeParse({ filename: 'a', flush_interval: 30 * 86400 }).success, false);
    for (const flush_interval of [null, -1, 0, 0.5, 10]) {
      assert.equal(schema.parse({ filename: 'a', flush_interval }).flush_interval, flush_interval);
    }
    assert.equal(schema.parse({ filename: 'a' }).flush_interval, 10);
    assert.equal(schema.parse({ filename: 'a', filename_timestamp: 1 }).filename_timestamp, true);
  });
});

/** A directory of its own for a rotation test, whose files can be listed alone. */
async function freshDir(): Promise<string> {
  fileCounter += 1;
  const sub = path.join(dir, `series-${fileCounter}`);
  await mkdir(sub);
  return sub;
}

/** The numbered series in `sub`: `data.1.csv`, `data.2.csv`, ..., then `data.csv`, in writing order. */
async function numberedFiles(sub: string): Promise<string[]> {
  const names = await readdir(sub);
  const numbered = names
    .filter((n) => /^data\.\d+\.csv$/.test(n))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  return [...numbered, ...names.filter((n) => n === 'data.csv')];
}

/**
 * Every file of a series starts with the header and holds only whole lines; returns the
 * records of all files in order, so that the caller can see each landed exactly once.
 */
async function recordsOfSeries(
  sub: string,
  files: readonly string[],
  header: string,
): Promise<string[]> {
  const records: string[] = [];
  for (const name of files) {
    const text = await contents(path.join(sub, name));
    assert.ok(text.startsWith(header), `${name} starts with the header: ${JSON.stringify(text)}`);
    assert.ok(text.endsWith('\n'), `${name} ends with a whole line: ${JSON.stringify(text)}`);
    records.push(...text.slice(header.length).split('\n').slice(0, -1));
  }
  return records;
}

describe('FileDataSink, rotation by size', () => {
  test('a new file before a record would pass rotate_bytes, each with the header, none cut', async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const header = 'H\n';
    // 2 bytes of header and records of 9 bytes: three fill 29 bytes exactly, a fourth would not fit.
    const sink = makeSink({ filename, header, rotate_bytes: 29, flush_interval: -1 });
    await sink.start();
    const sent = Array.from({ length: 20 }, (_, i) => `record-${String.fromCharCode(65 + i)}`);
    // In three writes of different sizes, so that boundaries fall within and between writes.
    for (const record of sent.slice(0, 2)) sink.receive(record);
    await sink.flush();
    for (const record of sent.slice(2, 13)) sink.receive(record);
    await sink.flush();
    for (const record of sent.slice(13)) sink.receive(record);
    await sink.close();

    const files = await numberedFiles(sub);
    assert.deepEqual(files, [
      'data.1.csv',
      'data.2.csv',
      'data.3.csv',
      'data.4.csv',
      'data.5.csv',
      'data.6.csv',
      'data.csv',
    ]);
    assert.deepEqual(await readdir(sub).then((n) => n.sort()), [...files].sort(), 'nothing else');
    for (const name of files) {
      const { size } = await stat(path.join(sub, name));
      assert.ok(size <= 29, `${name} is ${size} bytes`);
    }
    assert.deepEqual(await recordsOfSeries(sub, files, header), sent, 'each record once, in order');
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'H\nrecord-A\nrecord-B\nrecord-C\n');
    assert.equal(await contents(filename), 'H\nrecord-S\nrecord-T\n');
    assert.equal(sink.stats().files_rotated, 6);
    assert.equal(sink.stats().records_written, 20);
    assert.equal(sink.stats().rotation_errors, 0);
  });

  test('a record larger than rotate_bytes has a file of its own', async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, rotate_bytes: 10, flush_interval: 0 });
    await sink.start();
    for (const record of ['a', 'x'.repeat(25), 'b', 'c']) sink.receive(record);
    await sink.close();
    const files = await numberedFiles(sub);
    assert.deepEqual(files, ['data.1.csv', 'data.2.csv', 'data.csv']);
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'a\n');
    assert.equal(await contents(path.join(sub, 'data.2.csv')), `${'x'.repeat(25)}\n`);
    assert.equal(await contents(filename), 'b\nc\n');
  });

  test('rotate_keep deletes the oldest beyond N, also those left by an earlier run', async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    await writeFile(path.join(sub, 'data.1.csv'), 'from an earlier run\n');
    await writeFile(path.join(sub, 'data.2.csv'), 'from an earlier run\n');
    await writeFile(path.join(sub, 'other.csv'), 'not of the series\n');
    const sink = makeSink({ filename, rotate_bytes: 4, rotate_keep: 2, flush_interval: 0 });
    await sink.start();
    for (let i = 0; i < 6; i++) sink.receive(`r${i}`);
    await sink.close();
    // The numbers go on from the highest on disk, so no name is given twice.
    assert.deepEqual((await readdir(sub)).sort(), [
      'data.6.csv',
      'data.7.csv',
      'data.csv',
      'other.csv',
    ]);
    assert.equal(await contents(path.join(sub, 'data.6.csv')), 'r3\n');
    assert.equal(await contents(path.join(sub, 'data.7.csv')), 'r4\n');
    assert.equal(await contents(filename), 'r5\n');
    assert.equal(sink.stats().files_rotated, 5);
  });

  test("mode 'w' rotates the file a restart finds into the series instead of emptying it", async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    for (let run = 0; run < 2; run++) {
      const sink = makeSink({ filename, header: 'H\n', rotate_bytes: 1000 });
      await sink.start();
      sink.receive(`run ${run}`);
      await sink.close();
    }
    assert.deepEqual(await numberedFiles(sub), ['data.1.csv', 'data.csv']);
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'H\nrun 0\n');
    assert.equal(await contents(filename), 'H\nrun 1\n');
  });

  test("mode 'a' appends to the file a restart finds, and rotates it when it is full", async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    await writeFile(filename, 'old-1\nold-2\n');
    const sink = makeSink({ filename, mode: 'a', rotate_bytes: 20, flush_interval: 0 });
    await sink.start();
    sink.receive('new-1');
    sink.receive('new-2');
    await sink.close();
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'old-1\nold-2\nnew-1\n');
    assert.equal(await contents(filename), 'new-2\n');
  });

  test('a file that cannot be renamed is written on past the limit; nothing is lost', async () => {
    const sub = await freshDir();
    // 254 characters: the file's name fits, its numbered name (two more) is too long for
    // the file system, a rename failure that needs neither a mock nor a non-root user.
    const filename = path.join(sub, `${'n'.repeat(250)}.csv`);
    const sink = makeSink({ filename, rotate_bytes: 6, flush_interval: 0 });
    await sink.start();
    for (const record of ['aa', 'bb', 'cc', 'dd']) sink.receive(record);
    await sink.close();
    assert.equal(await contents(filename), 'aa\nbb\ncc\ndd\n');
    assert.deepEqual(await readdir(sub), [path.basename(filename)]);
    const stats = sink.stats();
    assert.equal(stats.records_written, 4);
    assert.equal(stats.records_dropped, 0);
    assert.equal(stats.files_rotated, 0);
    assert.ok((stats.rotation_errors ?? 0) >= 1, `rotation_errors ${stats.rotation_errors}`);
    const reports = log.current.withCode('DATALOGD_ERR_FILE_ROTATE');
    assert.ok(reports.length >= 1, log.current.text());
    assert.match(reports[0] ?? '', / ERROR .*cannot rename .*ENAMETOOLONG/);
  });

  test('an old file that cannot be deleted is reported and kept; writing goes on', async () => {
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    // A directory with a member's name: unlink refuses it (EISDIR or EPERM), even for root.
    await mkdir(path.join(sub, 'data.1.csv'));
    const sink = makeSink({ filename, rotate_bytes: 4, rotate_keep: 1, flush_interval: 0 });
    await sink.start();
    for (const record of ['r0', 'r1', 'r2']) sink.receive(record);
    await sink.close();
    assert.deepEqual((await readdir(sub)).sort(), ['data.1.csv', 'data.3.csv', 'data.csv']);
    assert.equal(await contents(path.join(sub, 'data.3.csv')), 'r1\n');
    assert.equal(await contents(filename), 'r2\n');
    assert.equal(sink.stats().records_written, 3);
    assert.match(
      log.current.withCode('DATALOGD_ERR_FILE_ROTATE').join('\n'),
      /cannot delete .*data\.1\.csv, beyond rotate_keep=1/,
    );
  });
});

describe('FileDataSink, rotation by time (mocked clock)', () => {
  test('hourly: the file is ended on the hour, with what was received before it', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 13, 59, 58).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, header: 'H\n', rotate_interval: 'hourly' });
    await sink.start();
    sink.receive('13:59:58');
    mock.timers.tick(1999);
    sink.receive('13:59:59.999');
    await sink.settled();
    assert.deepEqual(await readdir(sub), ['data.csv'], 'not before the hour');
    mock.timers.tick(1);
    await sink.settled();
    // Written and closed at once, not one flush_interval later.
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'H\n13:59:58\n13:59:59.999\n');
    assert.equal(await contents(filename), 'H\n');
    sink.receive('14:00:00');
    mock.timers.tick(3_600_000 - 1);
    sink.receive('14:59:59.999');
    mock.timers.tick(1);
    await sink.settled();
    assert.equal(await contents(path.join(sub, 'data.2.csv')), 'H\n14:00:00\n14:59:59.999\n');
    sink.receive('15:00:00');
    await sink.close();
    assert.equal(await contents(filename), 'H\n15:00:00\n');
    assert.equal(sink.stats().files_rotated, 2);
  });

  test('a record received after the boundary goes to the next file even when the timer is late', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 13, 30, 0).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, rotate_interval: 'hourly' });
    await sink.start();
    sink.receive('before');
    // The clock moves on without the timer firing, as after a suspended machine wakes.
    mock.timers.setTime(new Date(2024, 4, 9, 15, 10, 0).getTime());
    sink.receive('after');
    await sink.close();
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'before\n');
    assert.equal(await contents(filename), 'after\n');
  });

  test('daily: at local midnight', async () => {
    mock.timers.setTime(new Date(2024, 11, 31, 23, 59, 59, 500).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, rotate_interval: 'daily', flush_interval: 0 });
    await sink.start();
    sink.receive('old year');
    mock.timers.tick(499);
    await sink.settled();
    assert.deepEqual(await readdir(sub), ['data.csv']);
    mock.timers.tick(1);
    await sink.settled();
    sink.receive('new year');
    await sink.close();
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'old year\n');
    assert.equal(await contents(filename), 'new year\n');
  });

  test('a file that received nothing is not ended: no empty files push data out of rotate_keep', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 12, 0, 0).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, header: 'H\n', rotate_interval: 'hourly', rotate_keep: 1 });
    await sink.start();
    sink.receive('noon');
    mock.timers.tick(3_600_000);
    await sink.settled();
    for (let hour = 0; hour < 3; hour++) {
      mock.timers.tick(3_600_000);
      await sink.settled();
    }
    await sink.close();
    assert.deepEqual((await readdir(sub)).sort(), ['data.1.csv', 'data.csv']);
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 'H\nnoon\n');
    assert.equal(sink.stats().files_rotated, 1);
  });

  test('a number: every that many seconds from start', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 12, 0, 0).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    const sink = makeSink({ filename, rotate_interval: 90, flush_interval: 0 });
    await sink.start();
    for (let i = 0; i < 4; i++) {
      sink.receive(`t${i * 60}`);
      mock.timers.tick(60_000);
      await sink.settled();
    }
    await sink.close();
    // Boundaries at 90 s and 180 s: t0 and t60; t120; t180 (received on the boundary).
    assert.equal(await contents(path.join(sub, 'data.1.csv')), 't0\nt60\n');
    assert.equal(await contents(path.join(sub, 'data.2.csv')), 't120\n');
    assert.equal(await contents(filename), 't180\n');
  });

  test('close at a boundary with nothing after it leaves no file with only a header', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 12, 59, 59).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'data.csv');
    // A write that waits until the test lets it go: the hour passes and close() is called
    // while it is in flight, so the boundary is still to be handled when the sink closes.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = (): void => undefined;
    const recordWriteHeld = new Promise<void>((resolve) => {
      held = resolve;
    });
    let writes = 0;
    const slowWrite: WriteFunction = async (handle, buffer, offset, length, position) => {
      writes += 1;
      if (writes === 2) {
        // The first write is the header, the second the record.
        held();
        await gate;
      }
      return handle.write(buffer, offset, length, position);
    };
    const sink = makeSink(
      { filename, header: 'H\n', rotate_interval: 'hourly', flush_interval: 0 },
      slowWrite,
    );
    await sink.start();
    sink.receive('last');
    await recordWriteHeld;
    mock.timers.tick(1000);
    const closed = sink.close();
    release();
    await closed;
    assert.deepEqual(await readdir(sub), ['data.csv']);
    assert.equal(await contents(filename), 'H\nlast\n');
  });
});

describe('FileDataSink, a stamped series (filename_timestamp)', () => {
  test('each file is named for its start; one more in the same second gets -N, none overwritten', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 13, 59, 59).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'log.csv');
    // A file of the same second from an earlier run is kept, not overwritten.
    await writeFile(path.join(sub, '2024-05-09_13-59-59_log.csv'), 'earlier run\n');
    const sink = makeSink({
      filename,
      filename_timestamp: true,
      header: 'H\n',
      rotate_bytes: 5,
      rotate_interval: 'hourly',
      flush_interval: 0,
    });
    await sink.start();
    assert.equal(sink.path, path.join(sub, '2024-05-09_13-59-59-1_log.csv'));
    sink.receive('a');
    sink.receive('b');
    await sink.settled();
    mock.timers.tick(1000);
    await sink.settled();
    sink.receive('c');
    await sink.close();
    assert.deepEqual((await readdir(sub)).sort(), [
      '2024-05-09_13-59-59-1_log.csv',
      '2024-05-09_13-59-59-2_log.csv',
      '2024-05-09_13-59-59_log.csv',
      '2024-05-09_14-00-00_log.csv',
    ]);
    assert.equal(await contents(path.join(sub, '2024-05-09_13-59-59_log.csv')), 'earlier run\n');
    assert.equal(await contents(path.join(sub, '2024-05-09_13-59-59-1_log.csv')), 'H\na\n');
    assert.equal(await contents(path.join(sub, '2024-05-09_13-59-59-2_log.csv')), 'H\nb\n');
    assert.equal(await contents(path.join(sub, '2024-05-09_14-00-00_log.csv')), 'H\nc\n');
  });

  test('rotate_keep deletes the oldest of the series, in time order, never the open file', async () => {
    mock.timers.setTime(new Date(2024, 4, 9, 10, 0, 0).getTime());
    const sub = await freshDir();
    const filename = path.join(sub, 'log.csv');
    await writeFile(path.join(sub, '2024-05-08_09-00-00_log.csv'), 'oldest\n');
    await writeFile(path.join(sub, '2024-05-08_23-00-00_log.csv'), 'older\n');
    await writeFile(path.join(sub, '2024-05-08_23-00-00_other.csv'), 'not of the series\n');
    const sink = makeSink({
      filename,
      filename_timestamp: true,
      rotate_interval: 'hourly',
      rotate_keep: 2,
      flush_interval: 0,
    });
    await sink.start();
    assert.deepEqual(
      (await readdir(sub)).sort(),
      [
        '2024-05-08_09-00-00_log.csv',
        '2024-05-08_23-00-00_log.csv',
        '2024-05-08_23-00-00_other.csv',
        '2024-05-09_10-00-00_log.csv',
      ],
      'two closed files are within rotate_keep',
    );
    sink.receive('ten');
    mock.timers.tick(3_600_000);
    await sink.settled();
    sink.receive('eleven');
    await sink.close();
    assert.deepEqual((await readdir(sub)).sort(), [
      '2024-05-08_23-00-00_log.csv',
      '2024-05-08_23-00-00_other.csv',
      '2024-05-09_10-00-00_log.csv',
      '2024-05-09_11-00-00_log.csv',
    ]);
  });
});

describe('FileDataSink, rotation options', () => {
  test('rotation needs a numeric flush_interval; rotate_keep needs rotation; values are checked', () => {
    const schema = FileDataSink.optionsSchema;
    const problems = (options: Record<string, unknown>): string[] => {
      const result = schema.safeParse({ filename: 'a', ...options });
      return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
    };
    assert.deepEqual(problems({ rotate_bytes: 100, flush_interval: null }), ['rotate_bytes']);
    assert.deepEqual(problems({ rotate_interval: 'daily', flush_interval: null }), [
      'rotate_interval',
    ]);
    assert.deepEqual(problems({ rotate_keep: 3 }), ['rotate_keep']);
    assert.deepEqual(problems({ rotate_bytes: 0 }), ['rotate_bytes']);
    assert.deepEqual(problems({ rotate_bytes: 1.5 }), ['rotate_bytes']);
    assert.deepEqual(problems({ rotate_interval: 'weekly' }), ['rotate_interval']);
    assert.deepEqual(problems({ rotate_interval: 0 }), ['rotate_interval']);
    assert.deepEqual(problems({ rotate_interval: 3600, rotate_keep: 0 }), ['rotate_keep']);
    assert.deepEqual(
      problems({ rotate_bytes: 1 << 20, rotate_interval: 'hourly', rotate_keep: 24 }),
      [],
    );
    const defaults = schema.parse({ filename: 'a' });
    assert.equal(defaults.rotate_bytes, null);
    assert.equal(defaults.rotate_interval, null);
    assert.equal(defaults.rotate_keep, null);
  });
});
