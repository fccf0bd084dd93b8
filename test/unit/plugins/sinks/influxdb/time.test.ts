import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ReceiptClock,
  defaultRunId,
  timestampToNs,
} from '../../../../../src/plugins/sinks/influxdb/time.js';

describe('timestampToNs', () => {
  const cases: readonly (readonly [string, unknown, string | undefined])[] = [
    ['a Date', new Date('2020-01-02T03:04:05.678Z'), '1577934245678000000'],
    ['ISO with Z', '2020-01-02T03:04:05Z', '1577934245000000000'],
    ['ISO with offset', '2020-01-02T04:04:05+01:00', '1577934245000000000'],
    ['microseconds (Python isoformat)', '2020-01-02T03:04:05.123456+00:00', '1577934245123456000'],
    ['nanoseconds', '2020-01-02T03:04:05.123456789Z', '1577934245123456789'],
    ['more than nanoseconds: truncated', '2020-01-02T03:04:05.1234567891Z', '1577934245123456789'],
    ['a space instead of T', '2020-01-02 03:04:05.5Z', '1577934245500000000'],
    ['before 1970', '1969-12-31T23:59:59.5Z', '-500000000'],
    ['the epoch', new Date(0), '0'],
    ['a Date before 1970', new Date(-1500), '-1500000000'],
    ['an invalid Date', new Date(NaN), undefined],
    ['text that is no time', 'not a time', undefined],
    ['a number (ambiguous unit)', 1577934245, undefined],
    ['an object', { t: 1 }, undefined],
  ];
  for (const [title, input, expected] of cases) {
    test(title, () => {
      assert.equal(timestampToNs(input), expected);
    });
  }

  test('ISO text without a zone is local time, as Python writes naive datetimes', () => {
    const local = new Date(2020, 0, 2, 3, 4, 5, 250);
    assert.equal(timestampToNs('2020-01-02T03:04:05.250'), `${local.getTime()}000000`);
  });
});

describe('ReceiptClock', () => {
  test('follows the wall clock in nanoseconds', () => {
    const clock = new ReceiptClock(() => 1000);
    assert.equal(clock.next(), 1_000_000_000n);
  });

  test('never repeats or goes back, even when the wall clock does', () => {
    const times = [1000, 1000, 1000, 999, 1001];
    const clock = new ReceiptClock(() => times.shift() ?? 0);
    assert.deepEqual(
      [clock.next(), clock.next(), clock.next(), clock.next(), clock.next()],
      [1_000_000_000n, 1_000_000_001n, 1_000_000_002n, 1_000_000_003n, 1_001_000_000n],
    );
  });
});

test('defaultRunId is the local time as YYYYMMDD-HHMMSS', () => {
  assert.equal(defaultRunId(new Date(2024, 1, 3, 4, 5, 6)), '20240203-040506');
});
