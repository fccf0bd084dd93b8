import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { thinLine } from '../../../../../src/plugins/sinks/plot-file/thin.js';

function line(n: number, y: (i: number) => number): { x: Float64Array; y: Float64Array } {
  return {
    x: Float64Array.from({ length: n }, (_, i) => i),
    y: Float64Array.from({ length: n }, (_, i) => y(i)),
  };
}

describe('thinLine', () => {
  test('a line with at most four points a bucket is returned as it is', () => {
    const short = line(40, (i) => i * i);
    assert.equal(thinLine(short, 0, 39, 10), short);
  });

  test('a long line keeps, per bucket, its first, lowest, highest and last point, in order', () => {
    // 10,000 points in 10 buckets of 1,000; a spike up and a spike down in bucket 3.
    const long = line(10_000, (i) => (i === 3500 ? 100 : i === 3700 ? -100 : Math.sin(i / 50)));
    const thin = thinLine(long, 0, 9999, 10);
    assert.ok(thin.x.length <= 40, `${thin.x.length} points`);
    const xs = [...thin.x];
    assert.deepEqual(
      [...xs].sort((a, b) => a - b),
      xs,
      'original order',
    );
    assert.ok(xs.includes(0) && xs.includes(9999), 'the ends are kept');
    for (let b = 0; b < 10; b++) {
      assert.ok(xs.includes(b * 1000) && xs.includes(b * 1000 + 999), `bucket ${b} keeps its ends`);
    }
    assert.ok(xs.includes(3500) && xs.includes(3700), 'the spikes are kept');
    assert.equal(Math.max(...thin.y), 100);
    assert.equal(Math.min(...thin.y), -100);
    for (let i = 0; i < thin.x.length; i++) {
      assert.equal(thin.y[i], long.y[thin.x[i] as number], 'points are kept, not moved');
    }
  });

  test('all points at one x are left alone (no range to cut)', () => {
    const flat = {
      x: new Float64Array(100).fill(5),
      y: Float64Array.from({ length: 100 }, (_, i) => i),
    };
    assert.equal(thinLine(flat, 5, 5, 3), flat);
  });
});
