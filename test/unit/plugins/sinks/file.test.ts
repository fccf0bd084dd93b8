import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
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
