import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePythonJson } from '../../../src/python/json.js';

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
