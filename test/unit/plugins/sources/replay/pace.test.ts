import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pacer, type PacerClock } from '../../../../../src/plugins/sources/replay/pace.js';

/** A clock that only moves when the pacer sleeps, recording each sleep. */
function fakeClock(): PacerClock & { sleeps: number[]; nowMs: number } {
  const clock = {
    nowMs: 1_000,
    sleeps: [] as number[],
    now: () => clock.nowMs,
    sleep: (ms: number, signal: AbortSignal) => {
      clock.sleeps.push(ms);
      clock.nowMs += ms;
      return Promise.resolve(!signal.aborted);
    },
  };
  return clock;
}

test('the recorded pace divided by speed: the first at once, each later one when due', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(10, clock);
  const signal = new AbortController().signal;
  assert.equal(await pacer.wait(5_000_000, signal), true);
  assert.equal(await pacer.wait(6_000_000, signal), true); // 1 s recorded: 100 ms
  assert.equal(await pacer.wait(6_000_000, signal), true); // same time: no wait
  assert.equal(await pacer.wait(5_500_000, signal), true); // earlier than the last: at once
  assert.equal(await pacer.wait(8_000_000, signal), true); // 3 s after the first: 300 ms after it
  assert.deepEqual(clock.sleeps, [100, 200]);
});

test('a slow graph is not hurried: a receipt already late goes at once, without a sleep', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(1, clock);
  const signal = new AbortController().signal;
  await pacer.wait(0, signal);
  clock.nowMs += 5000; // the graph took 5 s
  await pacer.wait(2_000_000, signal);
  assert.deepEqual(clock.sleeps, []);
});

test('close aborts the wait', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(1, clock);
  const stop = new AbortController();
  await pacer.wait(0, stop.signal);
  stop.abort();
  assert.equal(await pacer.wait(10_000_000, stop.signal), false);
});
