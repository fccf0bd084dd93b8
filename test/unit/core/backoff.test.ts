import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { Backoff, sleep } from '../../../src/core/backoff.js';

describe('Backoff', () => {
  test('grows exponentially to the cap, with the ceiling at random()=1', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1000, random: () => 1 });
    assert.deepEqual(
      Array.from({ length: 6 }, () => b.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  test('jitter stays within [min, ceiling]', () => {
    const b = new Backoff({ minMs: 100, maxMs: 5000, random: () => 0 });
    assert.deepEqual([b.next(), b.next(), b.next()], [100, 100, 100]);
    const half = new Backoff({ minMs: 100, maxMs: 5000, random: () => 0.5 });
    assert.deepEqual([half.next(), half.next(), half.next()], [100, 150, 250]);
  });

  test('a connection that stayed up past stableMs resets the growth', () => {
    let now = 0;
    const b = new Backoff({
      minMs: 100,
      maxMs: 10_000,
      stableMs: 1000,
      random: () => 1,
      now: () => now,
    });
    b.next();
    b.next();
    b.next();
    b.succeeded();
    now += 500;
    assert.equal(b.next(), 800, 'a short-lived connection does not reset');
    b.succeeded();
    now += 1500;
    assert.equal(b.next(), 100, 'a stable connection resets');
  });

  test('rejects nonsense bounds', () => {
    assert.throws(() => new Backoff({ minMs: 10, maxMs: 1 }), RangeError);
  });
});

describe('sleep', () => {
  test('resolves true after the delay', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const done = sleep(1000);
      mock.timers.tick(1000);
      assert.equal(await done, true);
    } finally {
      mock.timers.reset();
    }
  });

  test('resolves false at once when aborted', async () => {
    const controller = new AbortController();
    const done = sleep(60_000, controller.signal);
    controller.abort();
    assert.equal(await done, false);
    assert.equal(await sleep(10, controller.signal), false);
  });
});
