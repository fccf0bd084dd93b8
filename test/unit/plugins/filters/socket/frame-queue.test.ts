import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameQueue } from '../../../../../src/plugins/filters/socket/frame-queue.js';

const frame = (text: string): Buffer => Buffer.from(text);

test('keeps frames in order and drops the oldest past the count limit', () => {
  const queue = new FrameQueue(3, 1000);
  const dropped = ['a', 'b', 'c', 'd', 'e'].map((t) => queue.push(frame(t)));
  assert.deepEqual(dropped, [0, 0, 0, 1, 1]);
  assert.deepEqual([queue.shift(), queue.shift(), queue.shift()].map(String), ['c', 'd', 'e']);
  assert.equal(queue.shift(), undefined);
});

test('drops the oldest past the byte limit, and refuses a frame that can never fit', () => {
  const queue = new FrameQueue(100, 10);
  assert.equal(queue.push(frame('aaaa')), 0);
  assert.equal(queue.push(frame('bbbb')), 0);
  assert.equal(queue.push(frame('cccc')), 1);
  assert.equal(queue.bytes, 8);
  assert.equal(queue.push(frame('x'.repeat(11))), 1);
  assert.equal(queue.length, 2);
});

test('size 0 keeps nothing, like Python', () => {
  const queue = new FrameQueue(0, 1000);
  assert.equal(queue.push(frame('a')), 1);
  assert.equal(queue.length, 0);
});

test('stays correct across many pushes and shifts (compaction)', () => {
  const queue = new FrameQueue(1_000_000, 1e9);
  let next = 0;
  for (let i = 0; i < 20_000; i++) {
    queue.push(frame(String(i)));
    if (i % 3 !== 0) assert.equal(String(queue.shift()), String(next++));
  }
  while (queue.length > 0) assert.equal(String(queue.shift()), String(next++));
  assert.equal(queue.bytes, 0);
});
