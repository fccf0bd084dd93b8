import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceBuffer } from '../../../../../src/plugins/sinks/live-plot/trace-buffer.js';

test('holds at most its capacity, newest kept, with sequence numbers that keep counting', () => {
  const buffer = new TraceBuffer(3);
  for (let i = 0; i < 5; i++) buffer.push(1000 + i, i * 1.5);
  assert.equal(buffer.length, 3);
  assert.equal(buffer.firstSeq, 2);
  assert.equal(buffer.nextSeq, 5);
  assert.deepEqual(buffer.json(0, 5), { x: '1002,1003,1004', y: '3,4.5,6', count: 3 });
  assert.equal(buffer.lastX(), 1004);
});

test('json() reads any held range, across the wrap of the ring, and nothing outside it', () => {
  const buffer = new TraceBuffer(4);
  for (let i = 0; i < 6; i++) buffer.push(i, -i);
  assert.deepEqual(buffer.json(2, 6), { x: '2,3,4,5', y: '-2,-3,-4,-5', count: 4 });
  assert.deepEqual(buffer.json(3, 5), { x: '3,4', y: '-3,-4', count: 2 });
  assert.deepEqual(buffer.json(6, 9), { x: '', y: '', count: 0 });
  assert.deepEqual(buffer.json(5, 4), { x: '', y: '', count: 0 });
});

test('dropBefore() forgets points older than a time (the time window)', () => {
  const buffer = new TraceBuffer(10);
  for (const x of [10, 20, 30, 40]) buffer.push(x, x);
  assert.equal(buffer.dropBefore(25), 2);
  assert.deepEqual(buffer.json(0, 10).x, '30,40');
  assert.equal(new TraceBuffer(1).lastX(), undefined);
  assert.throws(() => new TraceBuffer(0), RangeError);
});
