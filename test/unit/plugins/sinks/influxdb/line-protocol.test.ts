import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  escapeFieldKey,
  escapeKey,
  escapeMeasurement,
  escapeStringField,
  formatFieldValue,
  formatLine,
  isLossy,
  type Dialect,
  type Point,
} from '../../../../../src/plugins/sinks/influxdb/line-protocol.js';

/**
 * A strict reader of one line that stores what the servers were seen to store (see
 * line-protocol.ts): a round trip through it checks the escaping.
 * - 2.x: a backslash escapes the next character; `\\`, `\,`, `\ `, `\=` unescape.
 * - 1.x measurement and tags: a delimiter counts unless the character before it is a
 *   backslash; tags unescape `\,` `\ ` `\=`, measurements also `\"`.
 * - 1.x field keys: a backslash escapes the next character; `\,` `\ ` `\=` `\"` unescape.
 */
function readLine(line: string, dialect: Dialect): Point {
  let i = 0;
  const name = (delims: string, kind: 'measurement' | 'tag' | 'fieldKey'): string => {
    const pairs = dialect === '2.x' || kind === 'fieldKey';
    const start = i;
    while (i < line.length) {
      const ch = line.charAt(i);
      if (pairs && ch === '\\' && i + 1 < line.length) {
        i += 2;
        continue;
      }
      if (delims.includes(ch) && (pairs || line.charAt(i - 1) !== '\\')) break;
      i += 1;
    }
    const raw = line.slice(start, i);
    if (raw === '') throw new Error(`empty name at ${i} in ${JSON.stringify(line)}`);
    const unescapable = dialect === '2.x' ? '\\,= ' : kind === 'tag' ? ',= ' : ',= "';
    let out = '';
    for (let j = 0; j < raw.length; j++) {
      const ch = raw.charAt(j);
      const next = raw.charAt(j + 1);
      if (ch === '\\' && next !== '' && unescapable.includes(next)) {
        out += next;
        j += 1;
      } else out += ch;
    }
    return out;
  };
  const expect = (ch: string): void => {
    if (line.charAt(i) !== ch) throw new Error(`expected ${ch} at ${i} in ${JSON.stringify(line)}`);
    i += 1;
  };
  const measurement = name(', ', 'measurement');
  const tags: [string, string][] = [];
  while (line.charAt(i) === ',') {
    i += 1;
    const key = name('=', 'tag');
    expect('=');
    tags.push([key, name(', ', 'tag')]);
  }
  expect(' ');
  const fields: [string, number | boolean | string][] = [];
  for (;;) {
    const key = name('=', 'fieldKey');
    expect('=');
    if (line.charAt(i) === '"') {
      i += 1;
      let text = '';
      while (line.charAt(i) !== '"') {
        if (i >= line.length) throw new Error('unterminated string');
        if (line.charAt(i) === '\\' && '"\\'.includes(line.charAt(i + 1))) i += 1;
        text += line.charAt(i);
        i += 1;
      }
      i += 1;
      fields.push([key, text]);
    } else {
      const match = /^[^, ]+/.exec(line.slice(i));
      const raw = match?.[0] ?? '';
      i += raw.length;
      if (raw === 'true' || raw === 'false') fields.push([key, raw === 'true']);
      else if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) fields.push([key, Number(raw)]);
      else throw new Error(`bad field value ${raw}`);
    }
    if (line.charAt(i) !== ',') break;
    i += 1;
  }
  expect(' ');
  const timeNs = line.slice(i);
  if (!/^-?\d+$/.test(timeNs)) throw new Error(`bad time ${timeNs}`);
  return { measurement, tags, fields, timeNs };
}

const SPECIAL = [
  'a\\"b',
  'a\\\\ b',
  'plain',
  'with space',
  'comma,here',
  'equals=sign',
  'quote"d',
  "apo'strophe",
  'back\\slash',
  'C:\\data\\file',
  'a\\ b',
  'a\\,b',
  'a\\=b',
  'double\\\\back',
  'tab\there',
  'ünïcödé 😀',
  ' lead and trail ',
  '=,= ,',
];

/** Names 1.x cannot store as they are, per position (measurement, tag, field key). */
const V1_LOSSY: Readonly<Record<string, readonly ('measurement' | 'tag' | 'fieldKey')[]>> = {
  'a\\ b': ['measurement', 'fieldKey'],
  'a\\,b': ['measurement', 'fieldKey'],
  'a\\=b': ['measurement', 'fieldKey'],
  'a\\"b': ['measurement', 'fieldKey'],
  'end\\': ['measurement', 'tag', 'fieldKey'],
  'a\\\\ b': ['measurement', 'fieldKey'],
};

describe('line protocol escaping round-trips through a strict reader', () => {
  for (const dialect of ['1.x', '2.x'] as const) {
    for (const position of ['measurement', 'tag', 'fieldKey'] as const) {
      test(`${dialect}: ${position}`, () => {
        for (const text of SPECIAL) {
          const point: Point = {
            measurement: position === 'measurement' ? text : 'm',
            tags: position === 'tag' ? [[text, text]] : [['t', 'v']],
            fields: [
              [position === 'fieldKey' ? text : 'f', text],
              ['n', 1.5],
            ],
            timeNs: '1700000000000000000',
          };
          const { line, altered } = formatLine(point, dialect);
          const lossy = dialect === '1.x' && (V1_LOSSY[text] ?? []).includes(position);
          const read = readLine(line, dialect);
          if (lossy) {
            assert.ok(altered > 0, `${JSON.stringify(text)} should count as altered`);
            assert.notDeepEqual(read, point);
          } else {
            assert.equal(altered, 0, JSON.stringify(text));
            assert.deepEqual(read, point, `${JSON.stringify(text)} as ${line}`);
          }
        }
      });
    }
  }

  test('string field values keep line breaks, quotes and backslashes in both dialects', () => {
    const text = 'line 1\nline 2\r\n"quoted" \\ end\\';
    const point: Point = {
      measurement: 'm',
      tags: [],
      fields: [['f', text]],
      timeNs: '1',
    };
    for (const dialect of ['1.x', '2.x'] as const) {
      const { line, altered } = formatLine(point, dialect);
      assert.equal(altered, 0);
      assert.deepEqual(readLine(line, dialect).fields, [['f', text]]);
    }
  });
});

describe('escaping tables', () => {
  const cases: readonly (readonly [string, string, string, string])[] = [
    // input, measurement 1.x, key 1.x, key 2.x
    ['a b', 'a\\ b', 'a\\ b', 'a\\ b'],
    ['a,b', 'a\\,b', 'a\\,b', 'a\\,b'],
    ['a=b', 'a=b', 'a\\=b', 'a\\=b'],
    ['a\\b', 'a\\b', 'a\\b', 'a\\\\b'],
    ['a"b', 'a"b', 'a"b', 'a"b'],
    ['a\nb', 'a\\nb', 'a\\nb', 'a\\nb'],
    ['a\rb', 'a\\rb', 'a\\rb', 'a\\rb'],
    ['a\tb', 'a\tb', 'a\tb', 'a\tb'],
    ['end\\', 'end', 'end', 'end\\\\'],
    ['a\\ b', 'a\\ b', 'a\\\\ b', 'a\\\\\\ b'],
  ];
  for (const [input, measurement1, key1, key2] of cases) {
    test(JSON.stringify(input), () => {
      assert.equal(escapeMeasurement(input, '1.x'), measurement1);
      assert.equal(escapeKey(input, '1.x'), key1);
      assert.equal(escapeKey(input, '2.x'), key2);
      assert.equal(escapeFieldKey(input, '2.x'), key2);
    });
  }

  test('1.x field keys and measurements leave out backslashes before a delimiter or quote', () => {
    assert.equal(escapeFieldKey('a\\ b', '1.x'), 'a\\ b');
    assert.equal(escapeFieldKey('a\\"b', '1.x'), 'a"b');
    assert.equal(escapeFieldKey('a\\\\,b', '1.x'), 'a\\,b');
    assert.equal(escapeFieldKey('C:\\dir\\x', '1.x'), 'C:\\dir\\x');
    assert.equal(escapeMeasurement('a\\=b', '1.x'), 'a=b');
    assert.equal(escapeKey('a\\"b', '1.x'), 'a\\"b');
  });

  test('string fields escape only quotes and backslashes', () => {
    assert.equal(escapeStringField('a"b\\c\nd'), '"a\\"b\\\\c\nd"');
  });

  test('isLossy flags line breaks in both dialects and a trailing backslash in 1.x only', () => {
    assert.equal(isLossy('a\nb', '2.x'), true);
    assert.equal(isLossy('a\rb', '1.x'), true);
    assert.equal(isLossy('end\\', '1.x'), true);
    assert.equal(isLossy('end\\', '2.x'), false);
    assert.equal(isLossy('a b,c=d\\e', '1.x'), false);
  });
});

describe('field values', () => {
  test('numbers are floats without the integer suffix; -0 becomes 0', () => {
    assert.equal(formatFieldValue(3), '3');
    assert.equal(formatFieldValue(-2.5), '-2.5');
    assert.equal(formatFieldValue(1e21), '1e+21');
    assert.equal(formatFieldValue(1e-7), '1e-7');
    assert.equal(formatFieldValue(-0), '0');
  });

  test('booleans and strings', () => {
    assert.equal(formatFieldValue(true), 'true');
    assert.equal(formatFieldValue(false), 'false');
    assert.equal(formatFieldValue('x y'), '"x y"');
  });
});

describe('formatLine', () => {
  test('writes measurement, tags, fields and time in order', () => {
    const { line } = formatLine(
      {
        measurement: 'lab',
        tags: [
          ['id', 'A 1'],
          ['run_id', '20240101-120000'],
        ],
        fields: [['temperature_A 1', 21.5]],
        timeNs: '1704110400000000000',
      },
      '2.x',
    );
    assert.equal(
      line,
      'lab,id=A\\ 1,run_id=20240101-120000 temperature_A\\ 1=21.5 1704110400000000000',
    );
  });

  test('counts names it had to alter and leaves out a tag that would be empty', () => {
    const { line, altered } = formatLine(
      {
        measurement: 'm\nx',
        tags: [
          ['t', 'a\nb'],
          ['gone', '\\'],
        ],
        fields: [['f\\', 1]],
        timeNs: '5',
      },
      '1.x',
    );
    assert.equal(line, 'm\\nx,t=a\\nb f=1 5');
    assert.equal(altered, 4);
  });

  test('a 1.x field key made only of backslashes is written as "data"', () => {
    const { line } = formatLine(
      { measurement: 'm', tags: [], fields: [['\\\\', 1]], timeNs: '5' },
      '1.x',
    );
    assert.equal(line, 'm data=1 5');
  });
});
