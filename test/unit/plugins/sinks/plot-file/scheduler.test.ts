import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { Backoff } from '../../../../../src/core/backoff.js';
import { RedrawScheduler } from '../../../../../src/plugins/sinks/plot-file/scheduler.js';

/** A draw whose completion the test controls, recording when each draw started. */
class Drawer {
  readonly started: { job: string; at: number }[] = [];
  #finish: ((ok: boolean) => void) | undefined;
  auto: boolean | undefined = true;

  readonly draw = (job: string): Promise<boolean> => {
    this.started.push({ job, at: Date.now() });
    if (this.auto !== undefined) return Promise.resolve(this.auto);
    return new Promise((resolve) => {
      this.#finish = resolve;
    });
  };

  finish(ok = true): void {
    const finish = this.#finish;
    this.#finish = undefined;
    assert.ok(finish !== undefined, 'a draw is running');
    finish(ok);
  }

  get jobs(): string[] {
    return this.started.map((s) => s.job);
  }
}

/** Lets promise callbacks run between fake timer ticks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

async function advance(ms: number): Promise<void> {
  await settle();
  mock.timers.tick(ms);
  await settle();
}

/** Retries without jitter: 1 s, 2 s, 4 s ... up to 8 s. */
const fixedRetry = (): Backoff => new Backoff({ minMs: 1000, maxMs: 8000, random: () => 1 });

describe('RedrawScheduler', () => {
  let drawer: Drawer;
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    drawer = new Drawer();
  });
  afterEach(() => {
    mock.timers.reset();
  });

  test('offer never draws on the caller’s stack; the first draw follows on the next tick', async () => {
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 1000 });
    assert.equal(s.offer('a'), 'queued');
    assert.deepEqual(drawer.jobs, [], 'nothing drawn inside offer()');
    await advance(0);
    assert.deepEqual(drawer.jobs, ['a']);
  });

  test('at most one draw per interval: 100 offers over 3.5 s draw 5 times, 1 s apart, the latest last', async () => {
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 1000 });
    let replaced = 0;
    for (let i = 0; i < 100; i++) {
      if (s.offer(`j${i}`) === 'replaced') replaced += 1;
      for (let ms = 0; ms < 35; ms++) await advance(1);
    }
    for (let ms = 0; ms < 1000; ms++) await advance(1);
    // Offers at 0 ms ... 3465 ms; Node runs a 0 ms timer after 1 ms: draws at 1, 1001,
    // 2001, 3001 and, for the last offer, 4001.
    assert.deepEqual(
      drawer.started.map((d) => d.at),
      [1, 1001, 2001, 3001, 4001],
    );
    assert.equal(drawer.jobs.at(-1), 'j99', 'the latest data is drawn in the end');
    assert.equal(replaced, 100 - 5, 'every job not drawn was replaced by a newer one');
    assert.equal(s.hasPending, false);
  });

  test('while a draw runs, newer jobs replace each other: one pending at most, drawn after it', async () => {
    drawer.auto = undefined;
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 0 });
    s.offer('a');
    await advance(0);
    assert.equal(s.offer('b'), 'queued');
    assert.equal(s.offer('c'), 'replaced');
    await advance(5000);
    assert.deepEqual(drawer.jobs, ['a'], 'no second draw while one runs');
    drawer.finish();
    await advance(0);
    assert.deepEqual(drawer.jobs, ['a', 'c']);
    drawer.finish();
  });

  test('a failed draw is retried after the backoff, unless newer data came, and the backoff resets on success', async () => {
    drawer.auto = false;
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 100, retry: fixedRetry() });
    s.offer('a');
    await advance(0);
    await advance(999);
    assert.deepEqual(drawer.jobs, ['a'], 'not retried before the backoff');
    await advance(1);
    await advance(2000);
    assert.deepEqual(
      drawer.started.map((d) => [d.job, d.at]),
      [
        ['a', 0],
        ['a', 1000],
        ['a', 3000],
      ],
    );
    s.offer('b');
    drawer.auto = true;
    await advance(4000);
    assert.deepEqual(drawer.jobs.slice(3), ['b'], 'the newer job replaced the failed one');
    s.offer('c');
    await advance(100);
    assert.deepEqual(drawer.jobs.slice(4), ['c'], 'after a success the interval applies again');
  });

  test('flush draws what is pending at once, whatever the interval', async () => {
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 60_000 });
    s.offer('a');
    await advance(0);
    s.offer('b');
    await s.flush();
    assert.deepEqual(drawer.jobs, ['a', 'b']);
    assert.equal(drawer.started[1]?.at, 0);
  });

  test('close waits for the running draw, draws the latest, then refuses offers and leaves no timer', async () => {
    drawer.auto = undefined;
    const s = new RedrawScheduler(drawer.draw, { minIntervalMs: 10_000 });
    s.offer('a');
    await advance(0);
    s.offer('b');
    const closing = s.close();
    await settle();
    drawer.finish();
    await settle();
    assert.deepEqual(drawer.jobs, ['a', 'b'], 'the latest data is drawn on close');
    drawer.finish();
    await closing;
    assert.equal(s.offer('late'), 'refused');
    await advance(60_000);
    assert.deepEqual(drawer.jobs, ['a', 'b']);
  });

  test('a draw that throws counts as failed and does not stop later draws', async () => {
    let calls = 0;
    const s = new RedrawScheduler(
      () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(true);
      },
      { minIntervalMs: 0, retry: fixedRetry() },
    );
    s.offer('a');
    await advance(0);
    await advance(1000);
    assert.equal(calls, 2);
    assert.equal(s.hasPending, false);
  });
});
