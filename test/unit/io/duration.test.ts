import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/io/duration.js';

test('parseDuration reads a number and one unit, as seconds', () => {
  const cases: [string, number | undefined][] = [
    ['45s', 45],
    ['90m', 5400],
    ['12h', 43_200],
    ['1.5h', 5400],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
    [' 3 d ', 259_200],
    ['0s', undefined],
    ['10', undefined],
    ['1y', undefined],
    ['-1h', undefined],
    ['h', undefined],
    ['', undefined],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});
