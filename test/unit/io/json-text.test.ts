import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJsonText, UnencodableDataError } from '../../../src/io/json-text.js';

function nestedLists(depth: number): unknown {
  return JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
}

describe('toJsonText', () => {
  test('text as it is; everything else as JSON, dates as ISO text, NaN as null', () => {
    assert.equal(toJsonText('a,b\n1,2'), 'a,b\n1,2');
    assert.equal(
      toJsonText([{ t: new Date('2024-05-09T00:00:00.000Z'), v: NaN, w: Infinity }]),
      '[{"t":"2024-05-09T00:00:00.000Z","v":null,"w":null}]',
    );
    assert.equal(toJsonText(undefined), 'null');
    assert.equal(toJsonText(null), 'null');
  });

  test('BigInts keep every digit (a 19-digit nanosecond timestamp)', () => {
    assert.equal(
      toJsonText({ timestamp: 1715212800123456789n, value: -12345678901234567890n }),
      '{"timestamp":1715212800123456789,"value":-12345678901234567890}',
    );
  });

  test('a cycle is refused with a fixed reason, never written as [object Object]', () => {
    const record: Record<string, unknown> = { id: 'a' };
    record.self = record;
    assert.throws(
      () => toJsonText([record]),
      (err: unknown) =>
        err instanceof UnencodableDataError && /refers to itself \(a cycle\)/.test(err.message),
    );
  });

  test('5000 nested lists (10 KB of valid JSON) are refused as too deep', () => {
    assert.throws(
      () => toJsonText(nestedLists(5000)),
      (err: unknown) =>
        err instanceof UnencodableDataError && /nested too deeply/.test(err.message),
    );
    // Ordinary nesting is not affected.
    assert.equal(toJsonText(nestedLists(100)).length, 200);
  });

  test('a toJSON that throws is refused, with its message', () => {
    const bad = {
      toJSON(): never {
        throw new Error('no');
      },
    };
    assert.throws(() => toJsonText(bad), /cannot be encoded as JSON \(no\)/);
  });
});
