import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listify, MATCH_ANY, parseDotJson } from '../../../src/python/values.js';

describe('parseDotJson', () => {
  // [DOT attribute text as the DOT parser hands it over, decoded value]
  const table: [string, unknown][] = [
    ['None', null],
    ['True', true],
    ['False', false],
    ['NotImplemented', MATCH_ANY],
    ['0.5', 0.5],
    ['45454', 45454],
    ['-3', -3],
    ['-2.5e3', -2500],
    ['0', 0],
    [
      '[[0, 1], [10, 2]]',
      [
        [0, 1],
        [10, 2],
      ],
    ],
    ["\"[['type', 'analog']]\"", [['type', 'analog']]],
    ["[['type', 'analog']]", [['type', 'analog']]],
    ["{'type': 'config'}", { type: 'config' }],
    ["\"{'type': 'config', 'id': 'heartbeat'}\"", { type: 'config', id: 'heartbeat' }],
    // Python's None is no JSON token: the JSON attempt fails and the text comes back.
    ["{'a': {'b': [1, 'two', None]}}", "{'a': {'b': [1, 'two', None]}}"],
    ['client', 'client'],
    ['0x8078', '0x8078'],
    ["'text'", 'text'],
    ['"\'text\'"', 'text'],
    ['"text"', 'text'],
    ['""text""', 'text'],
    ['inf', 'inf'],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['NaN', NaN],
    ["it's", "it's"],
    ['"it\'s"', "it's"],
    ['null', null],
    ['true', true],
    ['false', false],
    ['', ''],
    ['"', '"'],
    ["'", "'"],
    ['""', ''],
    ["''", ''],
    ['"x', '"x'],
    ["'\\u0017'", '\u0017'],
    ['\\x17', '\\x17'],
    ['/opt/datalogd-plugins', '/opt/datalogd-plugins'],
    ["['/opt/datalogd-plugins']", ['/opt/datalogd-plugins']],
    ['[1, NaN, Infinity]', [1, NaN, Infinity]],
  ];
  for (const [text, expected] of table) {
    test(`${JSON.stringify(text)} decodes to ${show(expected)}`, () => {
      assert.deepEqual(parseDotJson(text), expected);
    });
  }

  test('nested objects with single quotes decode fully', () => {
    assert.deepEqual(parseDotJson("{'a': {'b': [1, 'two', null]}, 'c': -0.25}"), {
      a: { b: [1, 'two', null] },
      c: -0.25,
    });
  });

  test('non-string input is returned unchanged', () => {
    const object = { a: 1 };
    assert.equal(parseDotJson(object), object);
    assert.equal(parseDotJson(3), 3);
    assert.equal(parseDotJson(null), null);
    assert.equal(parseDotJson(undefined), undefined);
    assert.equal(parseDotJson(false), false);
  });

  test('MATCH_ANY is the shared registry symbol', () => {
    assert.equal(MATCH_ANY, Symbol.for('datalogd.NotImplemented'));
  });
});

describe('listify', () => {
  test('a string is one item', () => {
    assert.deepEqual(listify('abc'), ['abc']);
    assert.deepEqual(listify(''), ['']);
  });

  test('a plain object is one item, kept by reference', () => {
    const record = { type: 'temperature', value: 21 };
    const list = listify(record);
    assert.equal(list.length, 1);
    assert.equal(list[0], record);
  });

  test('an array is copied', () => {
    const input = [1, 2, 3];
    const output = listify(input);
    assert.deepEqual(output, [1, 2, 3]);
    assert.notEqual(output, input);
  });

  test('null, undefined, numbers and dates are wrapped', () => {
    assert.deepEqual(listify(null), [null]);
    assert.deepEqual(listify(undefined), [undefined]);
    assert.deepEqual(listify(4.5), [4.5]);
    const date = new Date(0);
    assert.deepEqual(listify(date), [date]);
  });

  test('other iterables are spread; bytes become numbers', () => {
    assert.deepEqual(listify(new Set(['a', 'b'])), ['a', 'b']);
    assert.deepEqual(listify(Buffer.from([1, 2, 255])), [1, 2, 255]);
    assert.deepEqual(listify(new Uint8Array([7, 8])), [7, 8]);
    assert.deepEqual(listify(new Map([['k', 1]]).values()), [1]);
  });

  test('a Map is dict-like and stays whole', () => {
    const map = new Map([['k', 1]]);
    assert.deepEqual(listify(map), [map]);
  });
});

function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'symbol'
    ? String(value)
    : JSON.stringify(value);
}
