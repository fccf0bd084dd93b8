import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { announcedStores } from '../../../../../src/io/store-registry.js';
import { loadHistory } from '../../../../../src/plugins/sinks/live-plot/history.js';
import { SQLiteDataSink } from '../../../../../src/plugins/sinks/sqlite/index.js';
import { schema } from '../../../../../src/plugins/sinks/sqlite/options.js';
import { KeyValSelector } from '../../../../../src/python/selector.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

captureLogEachTest();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-plot-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-06-01T12:00:00.000Z');

/** A store with `count` readings of ids a and b, one a second, the newest at NOW. */
async function store(count: number): Promise<string> {
  const filename = join(dir, 'h.sqlite');
  const sink = new SQLiteDataSink(schema.parse({ filename, flush_interval: 600 }));
  sink.start();
  assert.deepEqual(announcedStores(), [filename], 'a running store is announced');
  for (let i = 0; i < count; i++) {
    const timestamp = new Date(NOW - (count - 1 - i) * 1000);
    sink.receive([
      { type: 'temperature', id: 'a', value: i, timestamp },
      { type: 'temperature', id: 'b', value: -i, timestamp },
    ]);
  }
  await sink.close();
  assert.deepEqual(announcedStores(), [], 'a closed store is withdrawn');
  return filename;
}

const selectors = (...pairs: [string, string][][]): KeyValSelector[] =>
  pairs.map((pair) => new KeyValSelector(pair));

test('each trace gets the newest points that it selects, oldest first; a record can feed two traces', async () => {
  const filename = await store(20);
  const result = await loadHistory({
    filename,
    range: 'hour',
    selectors: selectors([['id', 'a']], [['type', 'temperature']]),
    maxPoints: 100,
    nowMs: NOW,
  });
  assert.equal(result.truncated, false);
  assert.equal(result.scanned, 40);
  const [a, all] = result.traces;
  assert.deepEqual(
    a?.[2],
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(all?.[1].length, 40, 'the second trace selects both ids');
  assert.equal(a[1][19], NOW);
});

test('maxPoints keeps the newest and says the history was cut; before leaves out what the page holds', async () => {
  const filename = await store(50);
  const cut = await loadHistory({
    filename,
    range: 'run',
    selectors: selectors([['id', 'a']], [['id', 'b']]),
    maxPoints: 10,
    nowMs: NOW,
  });
  assert.equal(cut.truncated, true);
  assert.deepEqual(
    cut.traces.map(([index, , ys]) => [index, ys]),
    [
      [0, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]],
      [1, [-40, -41, -42, -43, -44, -45, -46, -47, -48, -49]],
    ],
  );
  const older = await loadHistory({
    filename,
    range: 'hour',
    selectors: selectors([['id', 'a']]),
    maxPoints: 5,
    nowMs: NOW,
    beforeMs: NOW - 10_000,
  });
  assert.deepEqual(older.traces[0]?.[2], [34, 35, 36, 37, 38]);
});

test('the last hour ends an hour back; a trace that selects nothing is left out', async () => {
  const filename = await store(5);
  const later = await loadHistory({
    filename,
    range: 'hour',
    selectors: selectors([['id', 'z']], [['id', 'a']]),
    maxPoints: 100,
    nowMs: NOW + 3_600_000 - 2500,
  });
  assert.deepEqual(
    later.traces.map(([index, , ys]) => [index, ys]),
    [[1, [2, 3, 4]]],
  );
  assert.equal(later.fromMs, NOW - 2500);
});
