import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { PeriodicDataSource } from '../../../src/core/periodic.js';
import { captureLogEachTest } from '../../helpers/log-capture.js';

/** Counts its ticks and sends the count; a test can make a tick slow or failing. */
class CountingSource extends PeriodicDataSource {
  ticks = 0;
  /** When set, each tick waits for the test to call the resolver it leaves in `release`. */
  slow = false;
  release: (() => void) | undefined;
  fail: Error | undefined;

  protected override tick(): void | Promise<void> {
    this.ticks += 1;
    if (this.fail !== undefined) {
      if (this.slow) return Promise.reject(this.fail);
      throw this.fail;
    }
    if (!this.slow) {
      this.send([this.ticks]);
      return undefined;
    }
    const n = this.ticks;
    return new Promise<void>((resolve) => {
      this.release = () => {
        // A tick that finishes after close() must not send.
        if (!this.stopped) this.send([n]);
        resolve();
      };
    });
  }
}

function make(intervalSeconds: number): { source: CountingSource; sent: unknown[] } {
  const source = new CountingSource(intervalSeconds);
  source.nodeName = 'ticker';
  const sent: unknown[] = [];
  source.connectSinks({ receive: (d: unknown) => sent.push(d) });
  return { source, sent };
}

/** Lets the promise callbacks that follow a settled tick run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const log = captureLogEachTest();
beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
});
afterEach(() => {
  mock.timers.reset();
});

describe('PeriodicDataSource', () => {
  test('the constructor schedules nothing; start ticks at once, then every interval', async () => {
    const { source, sent } = make(0.5);
    mock.timers.tick(5000);
    assert.equal(source.ticks, 0);
    source.start();
    assert.deepEqual(sent, [[1]], 'the first tick comes at start');
    mock.timers.tick(499);
    assert.equal(source.ticks, 1);
    mock.timers.tick(1);
    assert.equal(source.ticks, 2);
    mock.timers.tick(1000);
    assert.deepEqual(sent, [[1], [2], [3], [4]]);
    await source.close();
  });

  test('close() clears the timer: no tick after it, and start() after it does nothing', async () => {
    const { source } = make(1);
    source.start();
    mock.timers.tick(2000);
    assert.equal(source.ticks, 3);
    const clearInterval = mock.method(globalThis, 'clearInterval');
    await source.close();
    assert.equal(clearInterval.mock.callCount(), 1, 'the interval is cleared');
    clearInterval.mock.restore();
    mock.timers.tick(10_000);
    source.start();
    mock.timers.tick(10_000);
    assert.equal(source.ticks, 3);
    await source.close();
  });

  test('a second start() does not add a second timer', async () => {
    const { source } = make(1);
    source.start();
    source.start();
    mock.timers.tick(3000);
    assert.equal(source.ticks, 4);
    await source.close();
  });

  test('while an asynchronous tick runs, the ticks that fall due are skipped and reported', async () => {
    const { source, sent } = make(1);
    source.slow = true;
    source.start();
    mock.timers.tick(3000);
    assert.equal(source.ticks, 1, 'no tick on top of a running one');
    assert.equal(source.stats().skipped_ticks, 3);
    const skipped = log.current.withCode('DATALOGD_ERR_TICK_SKIPPED');
    assert.equal(skipped.length, 3, log.current.text());
    assert.match(skipped[0] ?? '', / WARNING \[ticker\] .*\(1 so far\)/);
    source.release?.();
    await settle();
    assert.deepEqual(sent, [[1]]);
    mock.timers.tick(1000);
    assert.equal(source.ticks, 2, 'ticking resumes once the slow tick is done');
    source.release?.();
    await source.close();
    assert.deepEqual(sent, [[1], [2]]);
  });

  test('close() waits for a tick in progress', async () => {
    const { source } = make(1);
    source.slow = true;
    source.start();
    let closed = false;
    const closing = source.close().then(() => {
      closed = true;
    });
    await settle();
    assert.equal(closed, false);
    source.release?.();
    await closing;
    assert.equal(closed, true);
  });

  test('a tick that throws or rejects is reported, and the next tick comes as usual', async () => {
    const { source } = make(1);
    source.fail = new Error('sensor on fire');
    source.start();
    mock.timers.tick(1000);
    assert.equal(source.ticks, 2);
    source.slow = true;
    mock.timers.tick(1000);
    await settle();
    assert.equal(source.stats().tick_errors, 3);
    const failures = log.current.withCode('DATALOGD_ERR_TICK_FAILED');
    assert.equal(failures.length, 3);
    assert.match(failures[0] ?? '', / ERROR \[ticker\] .*sensor on fire \(1 so far\)/);
    mock.timers.tick(1000);
    assert.equal(source.ticks, 4, 'a rejected tick does not block the next');
    await settle();
    await source.close();
  });

  test('stats show both tick counters from the start', () => {
    const { source } = make(1);
    assert.deepEqual(source.stats(), { sink_errors: 0, skipped_ticks: 0, tick_errors: 0 });
  });
});
