import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRecord } from '../../../src/python/records.js';
import { KeyValSelector } from '../../../src/python/selector.js';

const MATCH_ANY = Symbol.for('datalogd.NotImplemented');

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
