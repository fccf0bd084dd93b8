import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineBuffer } from '../../../../../src/plugins/sinks/influxdb/buffer.js';

function lines(count: number, prefix = 'l'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

describe('LineBuffer', () => {
  test('keeps order and counts lines and bytes (newline included, UTF-8)', () => {
    const buffer = new LineBuffer({ maxLines: 10, maxBytes: 1000 });
    assert.equal(buffer.push('ab'), 0);
    assert.equal(buffer.push('é'), 0);
    assert.equal(buffer.length, 2);
    assert.equal(buffer.bytes, 3 + 3);
    assert.deepEqual(buffer.take(10), ['ab', 'é']);
    assert.equal(buffer.length, 0);
    assert.equal(buffer.bytes, 0);
  });

  test('full by lines: the oldest go first, and the count is returned', () => {
    const buffer = new LineBuffer({ maxLines: 3, maxBytes: 1000 });
    for (const line of lines(3)) assert.equal(buffer.push(line), 0);
    assert.equal(buffer.push('new'), 1);
    assert.deepEqual(buffer.take(10), ['l1', 'l2', 'new']);
  });

  test('full by bytes: as many of the oldest as needed go', () => {
    const buffer = new LineBuffer({ maxLines: 100, maxBytes: 12 });
    buffer.push('aaa'); // 4 bytes
    buffer.push('bbb'); // 4
    buffer.push('ccc'); // 4 -> 12
    assert.equal(buffer.push('dddddd'), 2); // 7 bytes needs two lines out
    assert.deepEqual(buffer.take(10), ['ccc', 'dddddd']);
  });

  test('a line larger than the whole buffer is refused, and counts as dropped', () => {
    const buffer = new LineBuffer({ maxLines: 100, maxBytes: 5 });
    buffer.push('ab');
    assert.equal(buffer.push('abcdefgh'), 1);
    assert.deepEqual(buffer.take(10), ['ab']);
  });

  test('take respects the line and byte limits, but always returns one line', () => {
    const buffer = new LineBuffer({ maxLines: 100, maxBytes: 1000 });
    for (const line of lines(5)) buffer.push(line); // 3 bytes each
    assert.deepEqual(buffer.take(2), ['l0', 'l1']);
    assert.deepEqual(buffer.take(10, 7), ['l2', 'l3']);
    assert.deepEqual(buffer.take(10, 1), ['l4']);
    assert.deepEqual(buffer.take(10), []);
  });

  test('unshift puts a failed batch back in front, then trims the oldest to the limits', () => {
    const buffer = new LineBuffer({ maxLines: 4, maxBytes: 1000 });
    for (const line of lines(4)) buffer.push(line);
    const batch = buffer.take(2);
    buffer.push('n0');
    buffer.push('n1');
    assert.equal(buffer.unshift(batch), 2);
    assert.deepEqual(buffer.take(10), ['l2', 'l3', 'n0', 'n1']);
    assert.equal(buffer.bytes, 0);
  });

  test('unshift with room keeps everything', () => {
    const buffer = new LineBuffer({ maxLines: 10, maxBytes: 1000 });
    buffer.push('b');
    assert.equal(buffer.unshift(['a0', 'a1']), 0);
    assert.equal(buffer.bytes, 3 + 3 + 2);
    assert.deepEqual(buffer.take(10), ['a0', 'a1', 'b']);
  });

  test('many pushes and takes stay correct across compaction', () => {
    const buffer = new LineBuffer({ maxLines: 5000, maxBytes: 1_000_000 });
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

  test('clear empties and reports the count', () => {
    const buffer = new LineBuffer({ maxLines: 10, maxBytes: 1000 });
    buffer.push('a');
    buffer.push('b');
    assert.equal(buffer.clear(), 2);
    assert.equal(buffer.length, 0);
    assert.equal(buffer.bytes, 0);
  });

  test('limits below one are refused', () => {
    assert.throws(() => new LineBuffer({ maxLines: 0, maxBytes: 10 }), RangeError);
    assert.throws(() => new LineBuffer({ maxLines: 10, maxBytes: 0 }), RangeError);
  });
});
