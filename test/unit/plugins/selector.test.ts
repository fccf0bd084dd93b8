import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileFullMatch,
  isRecord,
  KeyValSelector,
  pythonEquals,
} from '../../../src/plugins/filters/selector.js';

const MATCH_ANY = Symbol.for('datalogd.NotImplemented');

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

describe('compileFullMatch', () => {
  test('matches the whole string only, as re.fullmatch', () => {
    const re = compileFullMatch('temp.*');
    assert.ok(re);
    assert.equal(re.test('temperature'), true);
    assert.equal(re.test('air_temperature'), false);
    const alt = compileFullMatch('a|b');
    assert.ok(alt);
    assert.equal(alt.test('a'), true);
    assert.equal(alt.test('ab'), false);
  });

  test('translates Python-only spellings and rejects invalid patterns', () => {
    assert.equal(compileFullMatch('(?i)abc')?.test('ABC'), true);
    assert.equal(compileFullMatch('(?P<x>a)(?P=x)')?.test('aa'), true);
    assert.equal(compileFullMatch('a_\\_b')?.test('a__b'), true);
    assert.equal(compileFullMatch('a)|(b'), undefined);
    assert.equal(compileFullMatch('[unclosed'), undefined);
  });
});

describe('KeyValSelector', () => {
  test('every pair must match; a missing key does not match', () => {
    const selector = new KeyValSelector([
      ['type', 'temperature'],
      ['id', 'A_.*'],
    ]);
    assert.equal(selector.matches({ type: 'temperature', id: 'A_1' }), true);
    assert.equal(selector.matches({ type: 'temperature', id: 'B_1' }), false);
    assert.equal(selector.matches({ type: 'temperature' }), false);
  });

  test('an invalid regex is compared literally', () => {
    const selector = new KeyValSelector([['id', '[x']]);
    assert.equal(selector.matches({ id: '[x' }), true);
    assert.equal(selector.matches({ id: 'x' }), false);
  });

  test('NotImplemented matches any value of a present key', () => {
    const selector = new KeyValSelector([['value', MATCH_ANY]]);
    assert.equal(selector.matches({ value: null }), true);
    assert.equal(selector.matches({ value: [1, 2] }), true);
    assert.equal(selector.matches({ other: 1 }), false);
  });

  test('non-object records never match and do not throw', () => {
    const selector = new KeyValSelector([['type', MATCH_ANY]]);
    for (const item of [null, undefined, 3, 'type', ['type'], new Date()]) {
      assert.equal(selector.matches(item), false);
    }
  });

  test('an empty pair list matches every record', () => {
    assert.equal(new KeyValSelector([]).matches({}), true);
  });

  test('isRecord accepts plain objects only', () => {
    assert.equal(isRecord({}), true);
    assert.equal(isRecord(Object.create(null)), true);
    assert.equal(isRecord([]), false);
    assert.equal(isRecord(new Date()), false);
    assert.equal(isRecord(new Map()), false);
  });
});
