import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import {
  BoundedOutput,
  type DroppedOutput,
  type OutputStream,
} from '../../../src/core/bounded-output.js';

/** A stream whose reader is controlled by the test: nothing leaves until `read()`. */
class StalledStream extends EventEmitter implements OutputStream {
  readonly chunks: string[] = [];
  writableLength = 0;
  writable = true;
  writableNeedDrain = false;
  readonly highWaterMark = 16;

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    this.writableLength += chunk.length;
    this.writableNeedDrain = this.writableLength >= this.highWaterMark;
    return !this.writableNeedDrain;
  }

  /** The reader takes everything: the stream drains. */
  read(): void {
    this.writableLength = 0;
    if (this.writableNeedDrain) {
      this.writableNeedDrain = false;
      this.emit('drain');
    }
  }
}

function setup(limit: number): {
  stream: StalledStream;
  output: BoundedOutput;
  resumes: DroppedOutput[];
} {
  const stream = new StalledStream();
  const resumes: DroppedOutput[] = [];
  const output = new BoundedOutput(
    () => stream,
    limit,
    (d) => resumes.push(d),
  );
  return { stream, output, resumes };
}

describe('BoundedOutput', () => {
  test('writes while what waits stays within the limit, then drops and counts', () => {
    const { stream, output, resumes } = setup(100);
    for (let i = 0; i < 10; i++) assert.equal(output.write('x'.repeat(10)), true);
    assert.equal(stream.writableLength, 100);
    assert.equal(output.write('y'), false, 'one more byte would pass the limit');
    assert.equal(output.write('zz'), false);
    assert.deepEqual(output.dropped, { count: 2, bytes: 3 });
    assert.deepEqual(output.stalled, { count: 2, bytes: 3 });
    assert.equal(stream.chunks.length, 10);
    assert.deepEqual(resumes, []);
  });

  test('once the stream drains, the stall is reported once and writing resumes', () => {
    const { stream, output, resumes } = setup(50);
    for (let i = 0; i < 20; i++) output.write('0123456789');
    assert.equal(stream.writableLength, 50);
    stream.read();
    assert.deepEqual(resumes, [{ count: 15, bytes: 150 }]);
    assert.deepEqual(output.stalled, { count: 0, bytes: 0 });
    assert.equal(output.write('after'), true);
    assert.equal(stream.chunks.at(-1), 'after');
    // A second stall is reported on its own, the totals keep growing: 'after' and four
    // more fit in 50, six do not.
    for (let i = 0; i < 10; i++) output.write('0123456789');
    stream.read();
    assert.deepEqual(resumes[1], { count: 6, bytes: 60 });
    assert.deepEqual(output.dropped, { count: 21, bytes: 210 });
    assert.equal(stream.listenerCount('drain'), 0, 'no listener left behind');
  });

  test('a reader slower than the writer ends the stall once it has taken half the limit', () => {
    const { stream, output, resumes } = setup(100);
    for (let i = 0; i < 12; i++) output.write('0123456789');
    assert.deepEqual(output.stalled, { count: 2, bytes: 20 });
    // The reader takes 40: 60 wait, more than half the limit. The stall goes on although
    // this write would fit: writing now would keep the stream at the limit for ever.
    stream.writableLength = 60;
    assert.equal(output.write('a'), false);
    assert.deepEqual(resumes, []);
    // It takes more: 50 wait, half the limit. The stall is over although no drain came.
    stream.writableLength = 50;
    assert.equal(output.write('b'), true);
    assert.deepEqual(resumes, [{ count: 3, bytes: 21 }]);
    assert.equal(stream.chunks.at(-1), 'b');
  });

  test('one write larger than the limit still goes to an empty stream', () => {
    const { stream, output } = setup(10);
    assert.equal(output.write('x'.repeat(100)), true);
    assert.equal(output.write('y'), false);
    assert.equal(stream.chunks.length, 1);
  });

  test('below the high-water mark no drain comes: the next write that fits resumes', () => {
    const { stream, output, resumes } = setup(8);
    output.write('12345678');
    stream.writableNeedDrain = false; // A limit below the stream's mark: it asks for no drain.
    assert.equal(output.write('9'), false);
    assert.equal(stream.listenerCount('drain'), 0);
    stream.writableLength = 0;
    assert.equal(output.write('a'), true);
    assert.deepEqual(resumes, [{ count: 1, bytes: 1 }]);
  });

  test('a stream that is no longer writable drops everything, counted, without waiting', () => {
    const { stream, output, resumes } = setup(100);
    stream.writable = false;
    assert.equal(output.write('lost'), false);
    assert.deepEqual(output.dropped, { count: 1, bytes: 4 });
    assert.deepEqual(stream.chunks, []);
    assert.deepEqual(resumes, []);
  });

  test('with a real pipe-like stream nothing grows past the limit', async () => {
    const { PassThrough } = await import('node:stream');
    const pipe = new PassThrough({ highWaterMark: 1024 });
    const output = new BoundedOutput(
      () => pipe,
      64 * 1024,
      () => undefined,
    );
    const line = 'x'.repeat(1000) + '\n';
    let written = 0;
    for (let i = 0; i < 10_000; i++) if (output.write(line)) written += 1;
    // PassThrough keeps what it holds in its readable side too; the writable side is bounded.
    assert.ok(pipe.writableLength <= 64 * 1024 + line.length, `${pipe.writableLength} waiting`);
    assert.equal(output.dropped.count, 10_000 - written);
    assert.ok(output.dropped.count > 9000, `${output.dropped.count} dropped of 10000`);
    pipe.destroy();
  });
});
