import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeNonAscii, parsePythonJson, stringifyPythonJson } from '../../../src/python/json.js';

const cases: [string, unknown][] = [
  [
    '[{"type": "analog", "id": "randomwalk0", "value": 1.5}]',
    [{ type: 'analog', id: 'randomwalk0', value: 1.5 }],
  ],
  ['{"a": NaN}', { a: NaN }],
  ['[Infinity, -Infinity, NaN]', [Infinity, -Infinity, NaN]],
  ['{"units": "\\u00b0C", "v": NaN}', { units: '°C', v: NaN }],
  ['"\\ud83d\\ude00"', '😀'],
  [
    '{"text": "NaN inside a string stays", "n": NaN}',
    { text: 'NaN inside a string stays', n: NaN },
  ],
  ['{"q": "a \\"NaN\\" quoted", "x": Infinity}', { q: 'a "NaN" quoted', x: Infinity }],
  ['{"NaN": 1, "y": -Infinity}', { NaN: 1, y: -Infinity }],
];

for (const [text, expected] of cases) {
  test(`parses ${text}`, () => {
    assert.deepEqual(parsePythonJson(text), expected);
  });
}

for (const bad of ['NaNa', '[NaN,', '{"a": nan}', 'Infinityx', '']) {
  test(`rejects ${JSON.stringify(bad)}`, () => {
    assert.throws(() => parsePythonJson(bad), SyntaxError);
  });
}

describe('integers beyond 2^53', () => {
  test('become BigInts, digit for digit, and smaller ones stay numbers', () => {
    assert.deepEqual(parsePythonJson('{"t": 1733100000123456789, "n": 42}'), {
      t: 1733100000123456789n,
      n: 42,
    });
    assert.deepEqual(parsePythonJson('[-9223372036854775808, 9007199254740991]'), [
      -9223372036854775808n,
      9007199254740991,
    ]);
  });

  test('fractions, exponents and digits inside strings are left alone', () => {
    assert.deepEqual(parsePythonJson('[1.23456789012345678, 12345678901234567e2, 1e20]'), [
      Number('1.23456789012345678'),
      Number('12345678901234567e2'),
      1e20,
    ]);
    assert.deepEqual(
      parsePythonJson('{"serial": "12345678901234567890", "v": 12345678901234567890}'),
      { serial: '12345678901234567890', v: 12345678901234567890n },
    );
  });

  test('mix with NaN and Infinity', () => {
    assert.deepEqual(parsePythonJson('[NaN, 1733100000123456789, -Infinity]'), [
      NaN,
      1733100000123456789n,
      -Infinity,
    ]);
  });

  test('stringifyPythonJson writes them back exactly, and everything else as JSON.stringify', () => {
    const text = '[{"t":1733100000123456789,"v":1.5,"s":"x"}]';
    assert.equal(stringifyPythonJson(parsePythonJson(text)), text);
    assert.equal(
      stringifyPythonJson({ a: NaN, d: new Date(0) }),
      '{"a":null,"d":"1970-01-01T00:00:00.000Z"}',
    );
    assert.equal(
      stringifyPythonJson({ s: '\u0000datalogd:int:5' }),
      '{"s":"\\u0000datalogd:int:5"}',
    );
    assert.equal(stringifyPythonJson(undefined), undefined);
  });
});

test('escapeNonAscii writes what Python json.dumps writes by default', () => {
  assert.equal(escapeNonAscii('{"u":"°C 丗 😀"}'), '{"u":"\\u00b0C \\u4e17 \\ud83d\\ude00"}');
  assert.equal(escapeNonAscii('plain'), 'plain');
});

test('no text a peer sends can pose as an internal mark', () => {
  assert.deepEqual(parsePythonJson('["\\u0000datalogd:NaN", NaN, 12345678901234567890]'), [
    '\u0000datalogd:NaN',
    NaN,
    12345678901234567890n,
  ]);
});
