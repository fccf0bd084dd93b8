import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { mulberry32, RandomWalkDataSource } from '../../../../src/plugins/sources/random-walk.js';

interface WalkRecord {
  type: string;
  id: string;
  value: number;
}

function makeWalk(options: Record<string, unknown>): {
  walk: RandomWalkDataSource;
  ticks: WalkRecord[][];
} {
  const walk = new RandomWalkDataSource(RandomWalkDataSource.optionsSchema.parse(options));
  const ticks: WalkRecord[][] = [];
  walk.connectSinks({ receive: (d: unknown) => ticks.push(d as WalkRecord[]) });
  return { walk, ticks };
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
});
afterEach(() => {
  mock.timers.reset();
});

describe('RandomWalkDataSource', () => {
  test('the constructor schedules nothing; start ticks at once, then every interval', async () => {
    const { walk, ticks } = makeWalk({ seed: 1, interval: 0.5 });
    mock.timers.tick(5000);
    assert.equal(ticks.length, 0);
    walk.start();
    assert.equal(ticks.length, 1);
    mock.timers.tick(499);
    assert.equal(ticks.length, 1);
    mock.timers.tick(1);
    assert.equal(ticks.length, 2);
    mock.timers.tick(1000);
    assert.equal(ticks.length, 4);
    await walk.close();
    mock.timers.tick(5000);
    assert.equal(ticks.length, 4, 'no tick after close');
  });

  test('each walker steps by exactly -inc, 0 or +inc and records have the documented shape', async () => {
    const walkers = [
      [100, 5],
      [50, 2.5],
    ];
    const { walk, ticks } = makeWalk({ seed: 7, interval: 1, walkers });
    walk.start();
    mock.timers.tick(199_000);
    await walk.close();
    assert.equal(ticks.length, 200);
    const previous = walkers.map(([initial]) => initial as number);
    const seen = [new Set<number>(), new Set<number>()];
    for (const tick of ticks) {
      assert.deepEqual(
        tick.map((r) => [r.type, r.id]),
        [
          ['analog', 'randomwalk0'],
          ['analog', 'randomwalk1'],
        ],
      );
      tick.forEach((record, i) => {
        const step = record.value - (previous[i] as number);
        const inc = (walkers[i] as number[])[1] as number;
        assert.ok([-inc, 0, inc].includes(step), `walker ${i} stepped by ${step}`);
        seen[i]?.add(step);
        previous[i] = record.value;
      });
    }
    assert.deepEqual(
      [...(seen[0] ?? [])].sort((a, b) => a - b),
      [-5, 0, 5],
    );
    assert.deepEqual(
      [...(seen[1] ?? [])].sort((a, b) => a - b),
      [-2.5, 0, 2.5],
    );
  });

  test('the same seed reproduces the walk; another seed does not', async () => {
    const runs = [42, 42, 43].map((seed) => {
      const { walk, ticks } = makeWalk({ seed });
      walk.start();
      mock.timers.tick(20_000);
      void walk.close();
      return ticks.map((t) => t.map((r) => r.value));
    });
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
    await Promise.resolve();
  });

  test('the default walkers start at 0 with increments 1 and 2', async () => {
    const { walk, ticks } = makeWalk({ seed: 3 });
    walk.start();
    await walk.close();
    const first = ticks[0] ?? [];
    assert.equal(first.length, 2);
    assert.ok([-1, 0, 1].includes(first[0]?.value ?? NaN));
    assert.ok([-2, 0, 2].includes(first[1]?.value ?? NaN));
  });

  test('an invalid walker is a schema error', () => {
    const schema = RandomWalkDataSource.optionsSchema;
    assert.equal(schema.safeParse({ walkers: [[0, 1], [2]] }).success, false);
    assert.equal(schema.safeParse({ walkers: [['a', 1]] }).success, false);
    assert.equal(schema.safeParse({ interval: 0 }).success, false);
    assert.equal(schema.safeParse({ interval: 30 * 86400 }).success, false, 'beyond a timer');
    assert.equal(schema.safeParse({ walkers: [[0, 1]], seed: 'lab' }).success, true);
  });

  test('mulberry32 is deterministic and uniform enough to reach every third', () => {
    const a = mulberry32(99);
    const b = mulberry32(99);
    const thirds = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
      thirds.add(Math.floor(x * 3));
    }
    assert.equal(thirds.size, 3);
  });
});
