import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRecordJson, encodeRecordJson } from '../../../src/io/record-json.js';

const roundTrip = (value: Record<string, unknown>): Record<string, unknown> =>
  decodeRecordJson(encodeRecordJson(value));

test('plain JSON values are written as plain JSON, in key order', () => {
  const value = { b: 1, a: 'x', c: true, d: null, e: [1, 'two', { f: 2.5 }], g: { h: {} } };
  assert.equal(encodeRecordJson(value), JSON.stringify(value));
  assert.deepEqual(Object.keys(roundTrip(value)), ['b', 'a', 'c', 'd', 'e', 'g']);
  assert.deepEqual(roundTrip(value), value);
});

test('Dates, NaN, infinities and BigInts come back with their types, anywhere in the value', () => {
  const when = new Date('2024-05-06T07:08:09.123Z');
  const value = {
    when,
    invalid: new Date(Number.NaN),
    nan: Number.NaN,
    up: Number.POSITIVE_INFINITY,
    down: Number.NEGATIVE_INFINITY,
    big: 12345678901234567890n,
    small: 5n,
    nested: { list: [when, Number.NaN, 1n] },
  };
  assert.equal(
    encodeRecordJson({ when, nan: Number.NaN, big: 5n }),
    '{"when":{"$date":"2024-05-06T07:08:09.123Z"},"nan":{"$float":"NaN"},"big":{"$bigint":"5"}}',
  );
  const back = roundTrip(value);
  assert.ok(back.when instanceof Date);
  assert.equal(back.when.getTime(), when.getTime());
  assert.ok(back.invalid instanceof Date && Number.isNaN(back.invalid.getTime()));
  assert.ok(Number.isNaN(back.nan));
  assert.equal(back.up, Number.POSITIVE_INFINITY);
  assert.equal(back.down, Number.NEGATIVE_INFINITY);
  assert.equal(back.big, 12345678901234567890n);
  assert.equal(back.small, 5n);
  const list = (back.nested as { list: unknown[] }).list;
  assert.ok(list[0] instanceof Date);
  assert.ok(Number.isNaN(list[1]));
  assert.equal(list[2], 1n);
});

test('an object of the record that looks like a tag comes back as that object, not the tag', () => {
  for (const lookalike of [
    { $date: '2024-01-01T00:00:00Z' },
    { $float: 'NaN' },
    { $bigint: '7' },
    { $object: { $date: 'x' } },
  ]) {
    const value = { a: lookalike, list: [lookalike] };
    assert.deepEqual(roundTrip(value), value, JSON.stringify(lookalike));
    // The whole object of extra keys can look like a tag too.
    assert.deepEqual(roundTrip(lookalike), lookalike, JSON.stringify(lookalike));
  }
  // Two keys are no tag: written as they are.
  assert.equal(encodeRecordJson({ a: { $date: 'x', b: 1 } }), '{"a":{"$date":"x","b":1}}');
});

test('undefined values are left out, as JSON leaves them; decoding refuses what is not an object', () => {
  assert.equal(encodeRecordJson({ a: undefined, b: 1, c: [undefined] }), '{"b":1,"c":[null]}');
  assert.throws(() => decodeRecordJson('[1]'), /not an object/);
  assert.throws(() => decodeRecordJson('{"a":'), SyntaxError);
});
