import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoundedQueue, utf8Bytes } from '../../../src/core/bounded-queue.js';

/** A queue of text whose size is its UTF-8 length plus a newline, as a line buffer counts. */
function lineQueue(maxItems: number, maxBytes: number): BoundedQueue<string> {
  return new BoundedQueue<string>({ maxItems, maxBytes }, (line) => utf8Bytes(line) + 1);
}

function frameQueue(maxItems: number, maxBytes: number): BoundedQueue<Buffer | string> {
  return new BoundedQueue<Buffer | string>({ maxItems, maxBytes }, utf8Bytes);
}

function lines(count: number, prefix = 'l'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

const frame = (text: string): Buffer => Buffer.from(text);

describe('BoundedQueue as a frame queue', () => {
  test('keeps frames in order and drops the oldest past the count limit', () => {
    const queue = frameQueue(3, 1000);
    const dropped = ['a', 'b', 'c', 'd', 'e'].map((t) => queue.push(frame(t)));
    assert.deepEqual(dropped, [0, 0, 0, 1, 1]);
    assert.deepEqual([queue.shift(), queue.shift(), queue.shift()].map(String), ['c', 'd', 'e']);
    assert.equal(queue.shift(), undefined);
    assert.equal(queue.dropped, 2);
  });

  test('drops the oldest past the byte limit, and refuses a frame that can never fit', () => {
    const queue = frameQueue(100, 10);
    assert.equal(queue.push(frame('aaaa')), 0);
    assert.equal(queue.push(frame('bbbb')), 0);
    assert.equal(queue.push(frame('cccc')), 1);
    assert.equal(queue.bytes, 8);
    assert.equal(queue.push(frame('x'.repeat(11))), 1);
    assert.equal(queue.length, 2);
  });

  test('size 0 keeps nothing, like Python', () => {
    const queue = frameQueue(0, 1000);
    assert.equal(queue.push(frame('a')), 1);
    assert.equal(queue.length, 0);
  });

  test('text counts its real UTF-8 bytes, not UTF-16 code units', () => {
    const queue = frameQueue(100, 12);
    assert.equal(queue.push('é€😀'), 0); // 2 + 3 + 4 bytes, 4 UTF-16 units
    assert.equal(queue.bytes, 9);
    assert.equal(queue.push('abcd'), 1, '9 + 4 bytes exceed 12: the oldest goes');
    assert.equal(queue.bytes, 4);
  });

  test('stays correct across many pushes and shifts (compaction)', () => {
    const queue = frameQueue(1_000_000, 1e9);
    let next = 0;
    for (let i = 0; i < 20_000; i++) {
      queue.push(frame(String(i)));
      if (i % 3 !== 0) assert.equal(String(queue.shift()), String(next++));
    }
    while (queue.length > 0) assert.equal(String(queue.shift()), String(next++));
    assert.equal(queue.bytes, 0);
  });
});

describe('BoundedQueue as a line buffer', () => {
  test('keeps order and counts lines and bytes (newline included, UTF-8)', () => {
    const buffer = lineQueue(10, 1000);
    assert.equal(buffer.push('ab'), 0);
    assert.equal(buffer.push('é'), 0);
    assert.equal(buffer.length, 2);
    assert.equal(buffer.bytes, 3 + 3);
    assert.deepEqual(buffer.take(10), ['ab', 'é']);
    assert.equal(buffer.length, 0);
    assert.equal(buffer.bytes, 0);
  });

  test('full by lines: the oldest go first, and the count is returned', () => {
    const buffer = lineQueue(3, 1000);
    for (const line of lines(3)) assert.equal(buffer.push(line), 0);
    assert.equal(buffer.push('new'), 1);
    assert.deepEqual(buffer.take(10), ['l1', 'l2', 'new']);
  });

  test('full by bytes: as many of the oldest as needed go', () => {
    const buffer = lineQueue(100, 12);
    buffer.push('aaa'); // 4 bytes
    buffer.push('bbb'); // 4
    buffer.push('ccc'); // 4 -> 12
    assert.equal(buffer.push('dddddd'), 2); // 7 bytes needs two lines out
    assert.deepEqual(buffer.take(10), ['ccc', 'dddddd']);
  });

  test('a line larger than the whole buffer is refused, and counts as dropped', () => {
    const buffer = lineQueue(100, 5);
    buffer.push('ab');
    assert.equal(buffer.push('abcdefgh'), 1);
    assert.deepEqual(buffer.take(10), ['ab']);
    assert.equal(buffer.dropped, 1);
  });

  test('take respects the line and byte limits, but always returns one line', () => {
    const buffer = lineQueue(100, 1000);
    for (const line of lines(5)) buffer.push(line); // 3 bytes each
    assert.deepEqual(buffer.take(2), ['l0', 'l1']);
    assert.deepEqual(buffer.take(10, 7), ['l2', 'l3']);
    assert.deepEqual(buffer.take(10, 1), ['l4']);
    assert.deepEqual(buffer.take(10), []);
  });

  test('unshift puts a failed batch back in front, then trims the oldest to the limits', () => {
    const buffer = lineQueue(4, 1000);
    for (const line of lines(4)) buffer.push(line);
    const batch = buffer.take(2);
    buffer.push('n0');
    buffer.push('n1');
    assert.equal(buffer.unshift(batch), 2);
    assert.deepEqual(buffer.take(10), ['l2', 'l3', 'n0', 'n1']);
    assert.equal(buffer.bytes, 0);
  });

  test('unshift with room keeps everything', () => {
    const buffer = lineQueue(10, 1000);
    buffer.push('b');
    assert.equal(buffer.unshift(['a0', 'a1']), 0);
    assert.equal(buffer.bytes, 3 + 3 + 2);
    assert.deepEqual(buffer.take(10), ['a0', 'a1', 'b']);
  });

  test('many pushes and takes stay correct across compaction', () => {
    const buffer = lineQueue(5000, 1_000_000);
    const out: string[] = [];
    const all = lines(20_000);
    for (const line of all) {
      buffer.push(line);
      if (buffer.length >= 700) out.push(...buffer.take(600));
    }
    out.push(...buffer.take(100_000));
    assert.deepEqual(out, all);
    assert.equal(buffer.bytes, 0);
  });

  test('clear empties and reports the count; drain returns what was held', () => {
    const buffer = lineQueue(10, 1000);
    buffer.push('a');
    buffer.push('b');
    assert.equal(buffer.clear(), 2);
    assert.equal(buffer.length, 0);
    assert.equal(buffer.bytes, 0);
    buffer.push('c');
    assert.deepEqual(buffer.drain(), ['c']);
    assert.equal(buffer.bytes, 0);
  });

  test('negative limits are refused', () => {
    assert.throws(() => lineQueue(-1, 10), RangeError);
    assert.throws(() => lineQueue(10, -1), RangeError);
  });
});
