import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { TimeStampDataFilter } from '../../../../src/plugins/filters/timestamp.js';

function run(data: unknown): Record<string, unknown>[] {
  const filter = new TimeStampDataFilter(TimeStampDataFilter.optionsSchema.parse({}));
  const got: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => got.push(d) });
  filter.receive(data);
  assert.equal(got.length, 1);
  return got[0] as Record<string, unknown>[];
}

describe('TimeStampDataFilter', () => {
  test('stamps copies with one Date per receipt and leaves the input untouched', () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2024, 4, 9, 1, 2, 3, 456) });
    try {
      const input = [
        { type: 'a', value: 1 },
        { type: 'b', value: 2 },
      ];
      const out = run(input);
      assert.deepEqual(input, [
        { type: 'a', value: 1 },
        { type: 'b', value: 2 },
      ]);
      assert.equal(out.length, 2);
      assert.notEqual(out[0], input[0]);
      const stamp = out[0]?.timestamp;
      assert.ok(stamp instanceof Date);
      assert.equal(stamp.toISOString(), '2024-05-09T01:02:03.456Z');
      assert.equal(out[1]?.timestamp, stamp);
      assert.deepEqual(out[1], { type: 'b', value: 2, timestamp: stamp });
    } finally {
      mock.timers.reset();
    }
  });

  test('wraps items that are not records, including null', () => {
    const out = run([3, 'x', null]);
    assert.deepEqual(
      out.map((r) => r.value),
      [3, 'x', null],
    );
    assert.ok(out.every((r) => r.timestamp instanceof Date));
    const single = run(null);
    assert.equal(single.length, 1);
    assert.equal(single[0]?.value, null);
  });

  test('a single record is listified', () => {
    const out = run({ id: 'x' });
    assert.equal(out.length, 1);
    assert.equal(out[0]?.id, 'x');
  });
});
