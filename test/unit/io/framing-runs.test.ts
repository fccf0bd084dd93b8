import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRunDecoder, type DecodeResult } from '../../../src/io/codec.js';
import { DelimiterFramer } from '../../../src/io/framing.js';

const ETB = 0x17;

/** Frames `chunks` with or without runs; runs are expanded, so both must read alike. */
function events(chunks: readonly Buffer[], max: number, runs: boolean): string[] {
  const out: string[] = [];
  const framer = new DelimiterFramer({
    delimiter: Buffer.from([ETB]),
    maxMessageBytes: max,
    onMessage: (m) => out.push(`msg:${m.toString('latin1')}`),
    onOversize: (bytes) => out.push(`oversize:${bytes}`),
    onEmpty: () => out.push('empty'),
    ...(runs
      ? {
          onRun: (run: Buffer, count: number) => {
            const parts = run.toString('latin1').split('\x17');
            assert.equal(parts.length, count, 'count matches the messages in the run');
            for (const p of parts) out.push(`msg:${p}`);
          },
        }
      : {}),
  });
  for (const chunk of chunks) framer.push(Buffer.from(chunk));
  const last = framer.end();
  if (last !== undefined) out.push(`end:${last.toString('latin1')}`);
  return out;
}

const stream = Buffer.concat([
  Buffer.from('{"a":1}\x17{"b":2}\x17\x17'),
  Buffer.from('x'.repeat(30)),
  Buffer.from('\x17{"u":"°C"}\x17{"c":3}\x17tail'),
]);

describe('DelimiterFramer with onRun', () => {
  test('whole stream: the same messages, in the same order, as without runs', () => {
    assert.deepEqual(events([stream], 20, true), events([stream], 20, false));
  });

  test('every split into two chunks, and byte by byte', () => {
    const expected = events([stream], 20, false);
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(
        events([stream.subarray(0, i), stream.subarray(i)], 20, true),
        expected,
        `split at ${i}`,
      );
    }
    const bytes = Array.from(stream, (b) => Buffer.from([b]));
    assert.deepEqual(events(bytes, 20, true), expected);
  });

  test('messages in one chunk arrive as one run', () => {
    const runs: number[] = [];
    const framer = new DelimiterFramer({
      delimiter: Buffer.from([ETB]),
      maxMessageBytes: 100,
      onMessage: () => runs.push(1),
      onOversize: () => undefined,
      onEmpty: () => undefined,
      onRun: (_run, count) => runs.push(count),
    });
    framer.push(Buffer.from('a\x17b\x17c\x17d'));
    assert.deepEqual(runs, [3]);
  });
});

describe('createRunDecoder', () => {
  const decode = (
    run: Buffer,
    count: number,
    structure: 'json' | 'none' = 'json',
  ): DecodeResult[] => {
    const decoder = createRunDecoder({
      encoding: 'utf8',
      structure,
      delimiter: Buffer.from([ETB]),
    });
    assert.ok(decoder);
    const out: DecodeResult[] = [];
    decoder(run, count, (r) => out.push(r));
    return out;
  };

  test('decodes and parses every message of a run', () => {
    assert.deepEqual(decode(Buffer.from('[1, NaN]\x17{"u": "\\u00b0C"}\x17"x"'), 3), [
      { kind: 'ok', data: [1, NaN] },
      { kind: 'ok', data: { u: '°C' } },
      { kind: 'ok', data: 'x' },
    ]);
  });

  test('only the message with invalid UTF-8 becomes raw bytes; not-JSON stays text', () => {
    const run = Buffer.concat([
      Buffer.from('{"ok":1}\x17'),
      Buffer.from([0xff, 0x41]),
      Buffer.from('\x17{bad'),
    ]);
    const results = decode(run, 3);
    assert.deepEqual(results[0], { kind: 'ok', data: { ok: 1 } });
    assert.equal(results[1]?.kind, 'undecodable');
    assert.deepEqual([...(results[1] as { data: Buffer }).data], [0xff, 0x41]);
    assert.deepEqual(results[2], { kind: 'not-json', data: '{bad' });
  });

  test('structure none gives the text of each message', () => {
    assert.deepEqual(decode(Buffer.from('one\x17two'), 2, 'none'), [
      { kind: 'ok', data: 'one' },
      { kind: 'ok', data: 'two' },
    ]);
  });

  test('is not offered where a split of the text would not match a split of the bytes', () => {
    assert.equal(
      createRunDecoder({ encoding: 'utf-16', structure: 'json', delimiter: Buffer.from([ETB]) }),
      undefined,
    );
    assert.equal(
      createRunDecoder({ encoding: 'utf8', structure: 'json', delimiter: Buffer.from('\r\n') }),
      undefined,
    );
    assert.equal(
      createRunDecoder({ encoding: 'utf8', structure: 'json', delimiter: null }),
      undefined,
    );
  });
});
