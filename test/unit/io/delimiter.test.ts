import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatalogdError } from '../../../src/core/errors.js';
import { interpretDelimiter, parseDelimiter } from '../../../src/io/delimiter.js';

describe('parseDelimiter', () => {
  // Values as they come out of DOT attribute decoding: backslashes are literal characters.
  const cases: readonly (readonly [string, unknown, readonly number[] | null])[] = [
    ['absent → 0x17', undefined, [0x17]],
    ['\\x17 as four characters', '\\x17', [0x17]],
    ['\\u0017 as six characters', '\\u0017', [0x17]],
    ['\\n', '\\n', [0x0a]],
    ['\\r\\n', '\\r\\n', [0x0d, 0x0a]],
    ['\\t', '\\t', [0x09]],
    ['\\0', '\\0', [0x00]],
    ['\\027 octal', '\\027', [0x17]],
    ['\\\\ (a backslash)', '\\\\', [0x5c]],
    ['text with escapes inside', 'END\\r\\n', [0x45, 0x4e, 0x44, 0x0d, 0x0a]],
    ['already decoded U+0017 (from "\'\\u0017\'")', '\u0017', [0x17]],
    ['already decoded newline', '\n', [0x0a]],
    ['plain text', '||', [0x7c, 0x7c]],
    ['non-ASCII is UTF-8', '\\xe9', [0xc3, 0xa9]],
    ['a surrogate pair of escapes', '\\ud83d\\ude00', [0xf0, 0x9f, 0x98, 0x80]],
    ['\\U escape', '\\U0001F600', [0xf0, 0x9f, 0x98, 0x80]],
    ['byte list', [13, 10], [13, 10]],
    ['byte list with 0 and 255', [0, 255], [0, 255]],
    ['Uint8Array', Uint8Array.of(4), [4]],
    ['None → connection framing', null, null],
    ['"" → connection framing', '', null],
    ['"none"', 'none', null],
    ['"None"', 'None', null],
    ['[]', [], null],
  ];
  for (const [name, value, expected] of cases) {
    test(name, () => {
      const result = parseDelimiter(value);
      if (expected === null) assert.equal(result, null);
      else assert.deepEqual(result, Buffer.from(expected));
    });
  }

  const invalid: readonly (readonly [string, unknown, RegExp])[] = [
    ['byte out of range', [13, 256], /item 1 is 256/],
    ['negative byte', [-1], /item 0 is -1/],
    ['non-integer byte', [1.5], /item 0/],
    ['string in a byte list', ['a'], /item 0 is "a"/],
    ['a number', 23, /got 23/],
    ['a boolean', false, /got false/],
    ['an object', { a: 1 }, /got an object/],
    ['an unknown escape', '\\q', /unknown escape "\\q"/],
    ['a short \\x escape', '\\x1', /invalid escape/],
    ['a trailing backslash', 'a\\', /lone/],
    ['an unpaired surrogate', '\\ud83d', /unpaired surrogate/],
  ];
  for (const [name, value, message] of invalid) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => parseDelimiter(value),
        (err: unknown) =>
          err instanceof DatalogdError &&
          err.code === 'DATALOGD_ERR_OPTION_TYPE' &&
          err.option === 'message_delimiter' &&
          message.test(err.message),
      );
    });
  }

  test('the default is a fresh buffer each time', () => {
    const first = parseDelimiter(undefined)!;
    first[0] = 0;
    assert.deepEqual(parseDelimiter(undefined), Buffer.from([0x17]));
  });
});

describe('interpretDelimiter', () => {
  test('gives what parseDelimiter gives, or the problem as text instead of throwing', () => {
    assert.deepEqual(interpretDelimiter('\\r\\n'), Buffer.from('\r\n'));
    assert.equal(interpretDelimiter(null), null);
    const problem = interpretDelimiter([300]);
    assert.equal(typeof problem, 'string');
    assert.match(problem as string, /byte values/);
  });
});
