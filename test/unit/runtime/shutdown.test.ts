import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { DataSink, type PendingOutput } from '../../../src/core/node.js';
import type { ReportProblem } from '../../../src/core/problems.js';
import { closeGraph, type CloseOutcome } from '../../../src/runtime/shutdown.js';

/** A node whose close is finished by the test (or never), recording when it began. */
class ControlledNode extends DataSink {
  began: number | undefined;
  finish: () => void = () => undefined;
  pending: PendingOutput | undefined;
  constructor(
    name: string,
    readonly behaviour: 'quick' | 'hang' | 'throw' = 'quick',
  ) {
    super();
    this.nodeName = name;
  }
  protected override onClose(): Promise<void> {
    this.began = Date.now();
    if (this.behaviour === 'throw') return Promise.reject(new Error('port gone'));
    if (this.behaviour === 'quick') return Promise.resolve();
    return new Promise((resolve) => {
      this.finish = resolve;
    });
  }
  override pendingOutput(): PendingOutput | undefined {
    return this.pending;
  }
}

class DurableNode extends ControlledNode {
  static override readonly durable = true;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recorder(): { report: ReportProblem; events: string[] } {
  const events: string[] = [];
  return {
    events,
    report: (code, message) => {
      events.push(`${code} ${message}`);
      return events.length;
    },
  };
}

describe('closeGraph', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  async function run(
    nodes: ControlledNode[],
    edges: { from: string; to: string }[],
    deadlineMs: number,
    steps: number[],
  ): Promise<{ outcome: CloseOutcome; events: string[] }> {
    const { report, events } = recorder();
    const closing = closeGraph(new Map(nodes.map((n) => [n.nodeName, n])), edges, {
      deadlineMs,
      report,
    });
    await settle();
    for (const ms of steps) {
      mock.timers.tick(ms);
      await settle();
    }
    return { outcome: await closing, events };
  }

  test('a node closes after the nodes upstream of it; independent branches do not wait for each other', async () => {
    const source = new ControlledNode('source', 'hang');
    const filter = new ControlledNode('filter');
    const sink = new ControlledNode('sink');
    const other = new ControlledNode('other');
    const { report } = recorder();
    const closing = closeGraph(
      new Map([source, filter, sink, other].map((n) => [n.nodeName, n])),
      [
        { from: 'source', to: 'filter' },
        { from: 'filter', to: 'sink' },
      ],
      { deadlineMs: 8000, report },
    );
    await settle();
    assert.equal(other.began, 0, 'a node with nothing upstream closes at once');
    assert.equal(filter.began, undefined, 'the filter waits for its source');
    mock.timers.tick(100);
    source.finish();
    await settle();
    assert.equal(filter.began, 100);
    assert.equal(sink.began, 100, 'the sink follows its filter as soon as it has closed');
    const outcome = await closing;
    assert.deepEqual(outcome.abandoned, []);
    assert.deepEqual(outcome.closed, ['source', 'filter', 'sink', 'other']);
  });

  test('four hanging sinks are abandoned at the deadline, each with what it holds; a durable output beside them is flushed at once', async () => {
    const source = new ControlledNode('source');
    const hanging = [1, 2, 3, 4].map((i) => new ControlledNode(`db${i}`, 'hang'));
    for (const node of hanging) node.pending = { records: 10, bytes: 800 };
    const file = new DurableNode('file');
    const edges = [...hanging, file].map((n) => ({ from: 'source', to: n.nodeName }));
    const { outcome, events } = await run([source, ...hanging, file], edges, 3000, [3000]);
    assert.equal(file.began, 0);
    assert.deepEqual(outcome.closed, ['source', 'file']);
    assert.deepEqual(
      outcome.abandoned.map((n) => [n.name, n.stage, n.pending?.records]),
      hanging.map((n) => [n.nodeName, 'closing', 10]),
    );
    assert.equal(outcome.durableClosed, 1);
    assert.equal(outcome.durableTotal, 1);
    assert.equal(events.length, 4);
    assert.match(
      events[0] ?? '',
      /^DATALOGD_ERR_CLOSE_ABANDONED node "db1" had not closed within the 3000 ms deadline \(its close never finished\); abandoned with 10 records, 800 bytes still buffered/,
    );
  });

  test('a durable output behind a hanging node waits a quarter of the deadline for it, any other node half', async () => {
    const stuck = new ControlledNode('stuck', 'hang');
    const file = new DurableNode('file');
    const network = new ControlledNode('network');
    const edges = [
      { from: 'stuck', to: 'file' },
      { from: 'stuck', to: 'network' },
    ];
    const { outcome, events } = await run(
      [stuck, file, network],
      edges,
      4000,
      [999, 1, 999, 1, 2000],
    );
    assert.equal(file.began, 1000);
    assert.equal(network.began, 2000);
    assert.deepEqual(
      outcome.abandoned.map((n) => n.name),
      ['stuck'],
    );
    assert.equal(events.length, 1);
  });

  test('a close that throws is reported and the others go on', async () => {
    const bad = new ControlledNode('bad', 'throw');
    const after = new ControlledNode('after');
    const { outcome, events } = await run([bad, after], [{ from: 'bad', to: 'after' }], 1000, []);
    assert.deepEqual(outcome.failed, ['bad']);
    assert.deepEqual(outcome.closed, ['after']);
    assert.match(events[0] ?? '', /^DATALOGD_ERR_NODE_CLOSE node "bad" failed to close: port gone/);
  });
});

class GivesUpDataSink extends DataSink {
  protected override onClose(): void {
    this.counters('points_unsent_at_close').points_unsent_at_close += 7;
  }
}

test('a node that gives records up while closing makes the stop unclean, with the count', async () => {
  const node = new GivesUpDataSink();
  node.nodeName = 'db';
  const quiet = new ControlledNode('quiet');
  const outcome = await closeGraph(
    new Map<string, DataSink>([
      ['db', node],
      ['quiet', quiet],
    ]),
    [],
    { deadlineMs: 1000, report: recorder().report },
  );
  assert.deepEqual(outcome.lostAtClose, [{ name: 'db', records: 7 }]);
  assert.equal(outcome.clean, false);
  assert.deepEqual(outcome.closed, ['db', 'quiet']);
});

test('a stop where everything closed and nothing was given up is clean', async () => {
  const outcome = await closeGraph(new Map([['a', new ControlledNode('a')]]), [], {
    deadlineMs: 1000,
    report: recorder().report,
  });
  assert.equal(outcome.clean, true);
});
