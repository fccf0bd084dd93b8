import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setLogWriter, type LogWriter } from '../../../src/core/log.js';
import { DataFilter, DataSink, DataSource, type Data } from '../../../src/core/node.js';

class Collect extends DataSink {
  readonly got: Data[] = [];
  override receive(data: Data): void {
    this.got.push(data);
  }
}

class Throws extends DataSink {
  override receive(): void {
    throw new Error('sink fault');
  }
}

class Rejects extends DataSink {
  override receive(): Promise<void> {
    return Promise.reject(new Error('async sink fault'));
  }
}

let lines: string[];
let previous: LogWriter;
beforeEach(() => {
  lines = [];
  previous = setLogWriter((line) => lines.push(line));
});
afterEach(() => {
  setLogWriter(previous);
});

describe('DataSource.send', () => {
  test('delivers to every sink in connection order', () => {
    const order: string[] = [];
    const source = new DataSource();
    const a = { receive: () => order.push('a') };
    const b = { receive: () => order.push('b') };
    source.connectSinks([a, b]);
    source.send(1);
    assert.deepEqual(order, ['a', 'b']);
  });

  test('a sink that throws is counted and logged; the others still receive', () => {
    const source = new DataSource();
    source.nodeName = 'src';
    const bad = new Throws();
    bad.nodeName = 'bad';
    const good = new Collect();
    source.connectSinks([bad, good]);
    for (let i = 0; i < 20; i++) source.send(i);
    assert.equal(good.got.length, 20);
    assert.equal(source.stats().sink_errors, 20);
    const errorLines = lines.filter((l) => l.includes('src -> bad: sink fault'));
    assert.ok(
      errorLines.length >= 1 && errorLines.length <= 5,
      `rate-limited, got ${errorLines.length}`,
    );
  });

  test('a sink whose promise rejects is counted too', async () => {
    const source = new DataSource();
    source.connectSinks(new Rejects());
    source.send('x');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(source.stats().sink_errors, 1);
    assert.ok(lines.some((l) => l.includes('async sink fault')));
  });

  test('an exception deep in a chain is caught at the nearest hop only', () => {
    const source = new DataSource();
    const filter = new DataFilter();
    const bad = new Throws();
    const sibling = new Collect();
    source.connectSinks([filter, sibling]);
    filter.connectSinks(bad);
    source.send('x');
    assert.equal(filter.stats().sink_errors, 1);
    assert.equal(source.stats().sink_errors, 0);
    assert.deepEqual(sibling.got, ['x']);
  });
});

describe('DataSource.connectSinks', () => {
  test('a duplicate is attached once, with a warning', () => {
    const source = new DataSource();
    const sink = new Collect();
    source.connectSinks([sink, sink]);
    source.send(1);
    assert.deepEqual(sink.got, [1]);
    assert.ok(lines.some((l) => l.includes('WARNING') && l.includes('duplicated sink')));
  });

  test('refuses itself and objects without receive', () => {
    const filter = new DataFilter();
    filter.connectSinks(filter);
    filter.connectSinks({} as never);
    assert.equal(filter.sinks.length, 0);
    assert.equal(lines.filter((l) => l.includes('WARNING')).length, 2);
  });

  test('disconnectSinks removes by identity; an absent sink is no error', () => {
    const source = new DataSource();
    const a = new Collect();
    const b = new Collect();
    source.connectSinks([a, b]);
    source.disconnectSinks([a, new Collect()]);
    source.send(1);
    assert.deepEqual(a.got, []);
    assert.deepEqual(b.got, [1]);
  });

  test('a Python-style port may pass its sinks to the constructor', () => {
    const sink = new Collect();
    const source = new DataSource([sink]);
    source.send('hi');
    assert.deepEqual(sink.got, ['hi']);
  });
});

describe('lifecycle', () => {
  test('close() runs onClose once however often it is called', async () => {
    let closed = 0;
    class Counted extends DataSink {
      protected override onClose(): void {
        closed += 1;
      }
    }
    const node = new Counted();
    await Promise.all([node.close(), node.close()]);
    await node.close();
    assert.equal(closed, 1);
  });

  test('log lines carry the node name', () => {
    const node = new Collect();
    node.nodeName = 'thermo';
    node.log.info('hello');
    assert.match(lines[0] ?? '', /INFO \[thermo\] hello$/);
  });
});
