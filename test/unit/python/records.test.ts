import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { pythonEquals, truthy } from '../../../src/python/records.js';

describe('pythonEquals', () => {
  test('numbers and booleans compare like Python: 1 == 1.0 == True, 0 == False', () => {
    assert.equal(pythonEquals(1, true), true);
    assert.equal(pythonEquals(true, 1.0), true);
    assert.equal(pythonEquals(0, false), true);
    assert.equal(pythonEquals(2, true), false);
    assert.equal(pythonEquals(NaN, NaN), false);
  });

  test('strings, null and numbers never equal each other across types', () => {
    assert.equal(pythonEquals('1', 1), false);
    assert.equal(pythonEquals(null, 0), false);
    assert.equal(pythonEquals(null, null), true);
    assert.equal(pythonEquals('', false), false);
  });

  test('lists, dicts and dates compare by content', () => {
    assert.equal(pythonEquals([1, 'a', [true]], [1.0, 'a', [1]]), true);
    assert.equal(pythonEquals([1, 2], [1, 2, 3]), false);
    assert.equal(pythonEquals({ a: 1, b: [0] }, { b: [false], a: true }), true);
    assert.equal(pythonEquals({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(pythonEquals(new Date(5), new Date(5)), true);
    assert.equal(pythonEquals(new Date(5), new Date(6)), false);
  });
});

describe('truthy', () => {
  test('Python falsy values are false', () => {
    for (const v of [null, undefined, false, 0, -0, '', [], {}, 0n, new Map()]) {
      assert.equal(truthy(v), false, inspect(v));
    }
  });

  test('everything else is true, NaN included as in Python', () => {
    for (const v of [NaN, 1, -1, 'a', [0], { a: 0 }, true, new Date(0), Infinity]) {
      assert.equal(truthy(v), true, inspect(v));
    }
  });
});
