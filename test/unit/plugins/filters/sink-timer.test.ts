import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSink } from '../../../../src/core/node.js';
import { SinkTimerDataFilter } from '../../../../src/plugins/filters/sink-timer.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

// The timing lines are this filter's output (Python datalogd's words), so they are read here.
const log = captureLogEachTest();

/** A clock that each sink moves forward by the time it "takes". */
class FakeClock {
  ms = 0;
  readonly now = (): number => this.ms;
}

class SlowSink extends DataSink {
  readonly got: unknown[] = [];
  constructor(
    readonly clock: FakeClock,
    readonly takesMs: number,
    name: string,
  ) {
    super();
    this.nodeName = name;
  }
  override receive(data: unknown): undefined {
    this.got.push(data);
    this.clock.ms += this.takesMs;
    return undefined;
  }
}

function timer(options: Record<string, unknown>, clock: FakeClock): SinkTimerDataFilter {
  const filter = new SinkTimerDataFilter(
    SinkTimerDataFilter.optionsSchema.parse(options),
    clock.now,
  );
  filter.nodeName = 'timer';
  return filter;
}

describe('SinkTimerDataFilter', () => {
  test('every sink gets the data, unchanged (Python stopped after the first)', () => {
    const clock = new FakeClock();
    const filter = timer({}, clock);
    const sinks = [
      new SlowSink(clock, 0, 'a'),
      new SlowSink(clock, 0, 'b'),
      new SlowSink(clock, 0, 'c'),
    ];
    for (const s of sinks) filter.connectSinks(s);
    const data = [{ type: 'x', value: 1 }];
    filter.receive(data);
    for (const s of sinks) assert.equal(s.got[0], data);
  });

  test('logs at info from `info` seconds and as a warning from `warning` seconds', () => {
    const clock = new FakeClock();
    const filter = timer({ info: 0.1, warning: 0.5 }, clock);
    filter.connectSinks(new SlowSink(clock, 50, 'fast'));
    filter.connectSinks(new SlowSink(clock, 100, 'slowish'));
    filter.connectSinks(new SlowSink(clock, 700, 'slow'));
    filter.receive([1]);
    const lines = log.current.lines;
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /INFO \[timer\] slowish processed in 0\.1 s$/);
    assert.match(lines[1] ?? '', /WARNING \[timer\] slow processed in 0\.7 s$/);
    assert.deepEqual(filter.stats(), { sink_errors: 0, slow_info: 1, slow_warning: 1 });
  });

  test('an asynchronous sink is timed until its promise settles, without delaying the next sink', async () => {
    const clock = new FakeClock();
    const filter = timer({ info: 0.1, warning: 0.5 }, clock);
    let release: () => void = () => undefined;
    const order: string[] = [];
    filter.connectSinks({
      receive: () => {
        order.push('async start');
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    const secondSink = new SlowSink(clock, 0, 'second');
    filter.connectSinks({
      receive: (d: unknown) => {
        order.push('second');
        secondSink.receive(d);
      },
    });
    filter.receive('x');
    assert.deepEqual(order, ['async start', 'second']);
    const lines = log.current.lines;
    assert.equal(lines.length, 0);
    clock.ms += 600;
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /WARNING .* processed in 0\.6 s$/);
  });

  test('a throwing or rejecting sink is isolated and counted; the others still get the data', async () => {
    const clock = new FakeClock();
    const filter = timer({}, clock);
    const last = new SlowSink(clock, 0, 'last');
    filter.connectSinks({
      receive: () => {
        throw new Error('boom');
      },
    });
    filter.connectSinks({ receive: () => Promise.reject(new Error('later boom')) });
    filter.connectSinks(last);
    filter.receive('x');
    assert.deepEqual(last.got, ['x']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(filter.stats()['sink_errors'], 2);
    const threw = log.current.withCode('DATALOGD_ERR_SINK_THREW');
    assert.equal(threw.length, 2, log.current.text());
    assert.ok(threw.some((l) => l.includes('timer -> Object: boom (1 so far)')));
    assert.ok(threw.some((l) => l.includes('later boom (2 so far)')));
  });

  test('a throwing sink is still timed: a slow failure is logged as slow too', () => {
    const clock = new FakeClock();
    const filter = timer({ info: 0.1, warning: 0.5 }, clock);
    filter.connectSinks({
      receive: () => {
        clock.ms += 800;
        throw new Error('slow boom');
      },
    });
    filter.receive('x');
    assert.deepEqual(filter.stats(), { sink_errors: 1, slow_info: 0, slow_warning: 1 });
    assert.equal(log.current.withCode('DATALOGD_ERR_SINK_THREW').length, 1);
  });
});
