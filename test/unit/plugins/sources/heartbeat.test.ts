import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { HeartbeatDataSource } from '../../../../src/plugins/sources/heartbeat.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

function makeBeat(options: Record<string, unknown>): {
  beat: HeartbeatDataSource;
  got: unknown[];
} {
  const beat = new HeartbeatDataSource(HeartbeatDataSource.optionsSchema.parse(options));
  const got: unknown[] = [];
  beat.connectSinks({ receive: (d: unknown) => got.push(d) });
  return { beat, got };
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
});
afterEach(() => {
  mock.timers.reset();
});

describe('HeartbeatDataSource', () => {
  test('counts from 1 by default, one single-element list per interval', async () => {
    const { beat, got } = makeBeat({ interval: 2 });
    beat.start();
    mock.timers.tick(4000);
    await beat.close();
    mock.timers.tick(4000);
    assert.deepEqual(got, [
      [{ type: 'config', id: 'heartbeat', value: 1 }],
      [{ type: 'config', id: 'heartbeat', value: 2 }],
      [{ type: 'config', id: 'heartbeat', value: 3 }],
    ]);
  });

  test('a numeric counter sets the start value; copies leave the message unchanged', async () => {
    const message = { type: 'status', id: 'me' };
    const { beat, got } = makeBeat({ counter: 10, message });
    beat.start();
    mock.timers.tick(1000);
    await beat.close();
    assert.deepEqual(got, [
      [{ type: 'status', id: 'me', value: 10 }],
      [{ type: 'status', id: 'me', value: 11 }],
    ]);
    assert.deepEqual(message, { type: 'status', id: 'me' });
  });

  test('counter false or 0 sends the message without a value', async () => {
    for (const counter of [false, 0]) {
      const { beat, got } = makeBeat({ counter });
      beat.start();
      await beat.close();
      assert.deepEqual(got, [[{ type: 'config', id: 'heartbeat' }]]);
    }
  });

  test('a message that is not an object disables the counter with a warning', async () => {
    const { beat, got } = makeBeat({ message: 'alive' });
    beat.start();
    mock.timers.tick(1000);
    await beat.close();
    assert.deepEqual(got, [['alive'], ['alive']]);
    // Python datalogd's start-up warning about the options, not a runtime event.
    assert.equal(log.current.lines.filter((l) => l.includes('WARNING')).length, 1);
  });

  test('the interval is checked like every duration: more than 0, within what a timer holds', () => {
    const schema = HeartbeatDataSource.optionsSchema;
    assert.equal(schema.safeParse({ interval: 0 }).success, false);
    assert.equal(schema.safeParse({ interval: -1 }).success, false);
    assert.equal(schema.safeParse({ interval: 30 * 86400 }).success, false);
    assert.equal(schema.parse({ interval: 0.25 }).interval, 0.25);
    assert.equal(schema.parse({}).interval, 1);
  });
});
