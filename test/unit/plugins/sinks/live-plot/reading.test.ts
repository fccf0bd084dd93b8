import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPoint } from '../../../../../src/plugins/sinks/live-plot/reading.js';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

test('x is the timestamp (Date, ISO text, Unix seconds) or the time of receipt; y the value', () => {
  const at = new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 250));
  assert.deepEqual(readPoint({ value: 1.5, timestamp: at }, NOW), {
    ok: true,
    x: at.getTime(),
    y: 1.5,
  });
  assert.deepEqual(readPoint({ value: 2, timestamp: '2024-06-01T12:00:00.250Z' }, NOW), {
    ok: true,
    x: at.getTime(),
    y: 2,
  });
  assert.deepEqual(readPoint({ value: 3, timestamp: 1717243200.25 }, NOW), {
    ok: true,
    x: 1717243200250,
    y: 3,
  });
  assert.deepEqual(readPoint({ value: 4 }, NOW), { ok: true, x: NOW, y: 4 });
});

test('numbers in other clothes are numbers: numeric text, booleans, big integers', () => {
  assert.deepEqual(readPoint({ value: ' 20.25 ' }, NOW), { ok: true, x: NOW, y: 20.25 });
  assert.deepEqual(readPoint({ value: true }, NOW), { ok: true, x: NOW, y: 1 });
  assert.deepEqual(readPoint({ value: 12n }, NOW), { ok: true, x: NOW, y: 12 });
});

test('what cannot be plotted says why', () => {
  assert.deepEqual(readPoint({ type: 'x' }, NOW), { ok: false, reason: 'no value' });
  assert.deepEqual(readPoint({ value: null }, NOW), { ok: false, reason: 'no value' });
  for (const value of ['abc', '', NaN, Infinity, [1], { a: 1 }]) {
    assert.deepEqual(
      readPoint({ value }, NOW),
      { ok: false, reason: 'not numeric' },
      JSON.stringify(value),
    );
  }
  for (const timestamp of ['yesterday', new Date(NaN), [2024], NaN]) {
    assert.deepEqual(readPoint({ value: 1, timestamp }, NOW), {
      ok: false,
      reason: 'bad timestamp',
    });
  }
});
