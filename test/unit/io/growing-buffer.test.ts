import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowingBuffer } from '../../../src/io/growing-buffer.js';

test('bytes appended one at a time cost at most twice their number, and one Buffer', () => {
  const held = new GrowingBuffer(1 << 20);
  const byte = Buffer.from('x');
  for (let i = 0; i < 100_000; i++) held.append(byte);
  assert.equal(held.length, 100_000);
  const taken = held.take();
  assert.equal(taken.length, 100_000);
  assert.ok(
    taken.buffer.byteLength <= 2 * 100_000,
    `capacity ${taken.buffer.byteLength} for 100000 bytes held`,
  );
  assert.ok(taken.every((b) => b === 0x78));
});

test('the capacity never passes the maximum, and a taken view is never written again', () => {
  const held = new GrowingBuffer(1000);
  held.append(Buffer.alloc(600, 0x61));
  held.append(Buffer.alloc(300, 0x62));
  const first = held.take(850);
  assert.ok(first.buffer.byteLength <= 1000 || first.byteOffset !== 0);
  assert.equal(first.length, 850, 'taking less than held drops the rest');
  held.append(Buffer.alloc(10, 0x63), 2, 7);
  assert.equal(held.take().toString(), 'ccccc');
  assert.equal(
    first.subarray(0, 600).every((b) => b === 0x61),
    true,
  );
  assert.equal(
    first.subarray(600).every((b) => b === 0x62),
    true,
  );
  assert.equal(held.length, 0);
});
