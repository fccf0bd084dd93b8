import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataSink, DataSource } from '../../../../src/core/node.js';
import { healthReport } from '../../../../src/runtime/observe/health.js';
import { snapshotGraph } from '../../../../src/runtime/observe/snapshot.js';
import { formatStatus } from '../../../../src/runtime/observe/status-line.js';

/** A source that can be told it is down, and a sink that holds something. */
class FlakySource extends DataSource {
  down(detail: string): void {
    this.setHealth(false, detail);
  }

  up(): void {
    this.setHealth(true);
  }
}

class HoldingSink extends DataSink {
  protected override gauges(): Record<string, number> {
    return { records_buffered: 7, idle: 0 };
  }

  drop(): void {
    this.report('DATALOGD_ERR_STORE_BUFFER_FULL', 'full', { count: 3 });
  }
}

function graph(): {
  source: FlakySource;
  sink: HoldingSink;
  view: Parameters<typeof snapshotGraph>[0];
} {
  const source = new FlakySource();
  source.nodeName = 'src';
  const sink = new HoldingSink();
  sink.nodeName = 'db';
  source.connectSinks(sink);
  return {
    source,
    sink,
    view: {
      nodes: new Map<string, DataSource | DataSink>([
        ['src', source],
        ['db', sink],
      ]),
      edges: [{ from: 'src', to: 'db' }],
    },
  };
}

test('records in are what the upstream sent; a list counts its items', () => {
  const { source, view } = graph();
  source.send([{ v: 1 }, { v: 2 }]);
  source.send({ v: 3 });
  const byName = new Map(snapshotGraph(view).map((n) => [n.name, n]));
  assert.deepEqual(
    ['src', 'db'].map((name) => {
      const n = byName.get(name);
      return [n?.recordsIn, n?.recordsOut, n?.sends, n?.kind];
    }),
    [
      [0, 3, 2, 'source'],
      [3, 0, 0, 'sink'],
    ],
  );
});

test('the status line: in and out with the change since the last line, DOWN, events and gauges not 0', () => {
  const { source, sink, view } = graph();
  source.send([1, 2]);
  const first = snapshotGraph(view);
  const previous = new Map(first.map((n) => [n.name, { in: n.recordsIn, out: n.recordsOut }]));
  source.send([3]);
  sink.drop();
  source.down('cannot connect to 127.0.0.1:9');
  const now = source.health().since + 12_000;
  assert.equal(
    formatStatus(snapshotGraph(view), previous, now),
    'Status: 2 nodes, 1 not running; src out=3 (+1) DOWN for 12 s (cannot connect to 127.0.0.1:9); db in=3 (+1) records_overflowed=3 records_buffered=7',
  );
});

test('health: since moves only when ok changes; a comeback counts as a reconnect; the report names who is down', () => {
  const { source, view } = graph();
  assert.deepEqual(healthReport(snapshotGraph(view), Date.now()), {
    status: 'ok',
    nodes: 2,
    failing: [],
  });
  source.down('first');
  const since = source.health().since;
  source.down('second');
  assert.equal(source.health().since, since, 'still down since the first failure');
  assert.equal(source.health().detail, 'second');
  assert.equal(source.reconnects, 0, 'down from the start is no reconnect when it comes up');
  source.up();
  assert.equal(source.reconnects, 0);
  source.down('lost');
  source.up();
  assert.equal(source.reconnects, 1);
  source.down('lost again');
  const report = healthReport(snapshotGraph(view), source.health().since + 1500);
  assert.equal(report.status, 'failing');
  assert.deepEqual(report.failing, [
    {
      node: 'src',
      class: 'FlakySource',
      since: new Date(source.health().since).toISOString(),
      seconds: 1.5,
      detail: 'lost again',
    },
  ]);
});
