import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blankComments } from '../../../src/graph/comments.js';

describe('blankComments', () => {
  const table: [string, string, string][] = [
    ['// to the end of the line', 'a // x\nb', 'a     \nb'],
    ['# to the end of the line', '# x\r\nb', '   \r\nb'],
    ['block, keeping line breaks', 'a /* x\n y */ b', 'a     \n      b'],
    ['astral characters keep their two units', 'a/*😀*/b', 'a      b'],
    ['markers inside quoted strings', '"//x" "/*y*/" "#z"', '"//x" "/*y*/" "#z"'],
    ['escaped quote does not end a string', '"a\\"//b" // c', '"a\\"//b"     '],
    [
      'markers inside nested HTML strings',
      '<<a href="//x">#</a>> // c',
      '<<a href="//x">#</a>>     ',
    ],
    ['unterminated block comment left alone', 'a /* b', 'a /* b'],
    ['unterminated string left alone', 'a "b // c', 'a "b // c'],
    ['no comments', 'digraph { a -> b }', 'digraph { a -> b }'],
  ];
  for (const [name, input, expected] of table) {
    test(name, () => {
      const out = blankComments(input);
      assert.equal(out, expected);
      assert.equal(out.length, input.length);
    });
  }
});
