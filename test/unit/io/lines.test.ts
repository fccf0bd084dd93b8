import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineFramer, MAX_LINE_BYTES } from '../../../src/io/lines.js';

function split(chunks: readonly (string | Buffer)[], maxBytes?: number) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const splitter = new LineFramer({
    onLine: (text) => lines.push(text),
    onOversize: (bytes) => oversize.push(bytes),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return { lines, oversize, pending: splitter.pendingBytes, splitter };
}

describe('LineFramer', () => {
  const message = '{"board":"A","timestamp":"1","message":"keepalive"}\r\n';

  test('every split point of a CR LF line gives the same single line', () => {
    for (let at = 0; at <= message.length; at++) {
      const { lines, pending } = split([message.slice(0, at), message.slice(at)]);
      assert.deepEqual(lines, [message.slice(0, -2)], `split at ${at}`);
      assert.equal(pending, 0);
    }
  });

  test('one byte at a time', () => {
    const { lines } = split([...Buffer.from(message + message)].map((b) => Buffer.from([b])));
    assert.deepEqual(lines, [message.slice(0, -2), message.slice(0, -2)]);
  });

  const table: [string, (string | Buffer)[], string[]][] = [
    ['two lines in one read', ['a\r\nb\r\n'], ['a', 'b']],
    ['bare LF also ends a line', ['a\nb\n'], ['a', 'b']],
    ['CR at the end of one read, LF at the start of the next', ['a\r', '\nb\r\n'], ['a', 'b']],
    ['only the CR right before LF is removed', ['a\r\r\n'], ['a\r']],
    ['a CR alone does not end a line', ['a\rb\r\n'], ['a\rb']],
    ['empty lines are lines', ['\r\n\r\n'], ['', '']],
    ['nothing yet without a terminator', ['abc'], []],
    [
      'a multi-byte character split across reads is decoded whole',
      [Buffer.from([0x32, 0x30, 0xc2]), Buffer.from([0xb0, 0x43, 0x0d, 0x0a])],
      ['20°C'],
    ],
    [
      'invalid UTF-8 becomes the replacement character',
      [Buffer.from([0x61, 0xff, 0x0a])],
      ['a\ufffd'],
    ],
  ];
  for (const [name, chunks, expected] of table) {
    test(name, () => {
      assert.deepEqual(split(chunks).lines, expected);
    });
  }

  test('a line longer than the limit is dropped up to its LF and reported once, the next line is kept', () => {
    const { lines, oversize } = split(['x'.repeat(6), 'y'.repeat(6), 'z\r\nok\r\n'], 10);
    assert.deepEqual(lines, ['ok']);
    assert.deepEqual(oversize, [14]);
  });

  test('a line of exactly the limit is kept (CR counts, LF does not)', () => {
    const { lines, oversize } = split(['123456789\r\n'], 10);
    assert.deepEqual(lines, ['123456789']);
    assert.deepEqual(oversize, []);
  });

  test('the buffer stays bounded while a device sends no newline', () => {
    const { splitter, oversize } = split([], 100);
    for (let i = 0; i < 1000; i++) splitter.push(Buffer.alloc(64, 0x41));
    assert.equal(splitter.pendingBytes, 0);
    assert.deepEqual(oversize, [], 'reported when the line finally ends');
    splitter.push(Buffer.from('\n'));
    assert.deepEqual(oversize, [64_000]);
  });

  test('the default limit is 16 KiB', () => {
    assert.equal(MAX_LINE_BYTES, 16 * 1024);
  });

  test('reset drops a trailing partial line and says how much', () => {
    const { splitter, lines } = split(['done\r\npartial']);
    assert.equal(splitter.reset(), 7);
    splitter.push(Buffer.from('\r\nnext\r\n'));
    assert.deepEqual(lines, ['done', '', 'next']);
  });
});
