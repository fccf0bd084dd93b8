import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLogLevel } from '../../../src/core/log.js';
import { summarizeGraph } from '../../../src/runtime/graph-summary.js';
import { prepareGraph } from '../../../src/runtime/prepare.js';

async function optionsShown(graphDot: string): Promise<Record<string, unknown>> {
  setLogLevel('error');
  const prepared = await prepareGraph({ graphDot, env: {}, home: '/nonexistent' });
  const summary = summarizeGraph(prepared);
  return Object.fromEntries(summary.nodes.map((n) => [n.name, Object.fromEntries(n.options)]));
}

test('an option written as its default, or validated to it, is left out', async () => {
  assert.deepEqual(
    await optionsShown(
      `digraph {
        walk [class=RandomWalkDataSource, interval=1, seed=None, walkers="[[0, 1], [0, 2]]"];
        sock [class=SocketDataFilter, port="45454", host="127.0.0.1"];
        walk -> sock;
      }`,
    ),
    { walk: {}, sock: {} },
  );
});

test('what differs is shown as written; a secret only as [redacted], unless it is the default', async () => {
  assert.deepEqual(
    await optionsShown(
      `digraph {
        walk [class=RandomWalkDataSource, interval=0.25, walkers="[[5, 1]]"];
        a [class=InfluxDBDataSink, password=hunter2, dbname=lab];
        b [class=InfluxDBDataSink, password=root, password_env=PATH];
        walk -> a; walk -> b;
      }`,
    ),
    {
      walk: { interval: '0.25', walkers: '[[5, 1]]' },
      a: { password: '[redacted]', dbname: 'lab' },
      // password=root is the default; password_env names a variable, not a secret.
      b: { password_env: 'PATH' },
    },
  );
});
