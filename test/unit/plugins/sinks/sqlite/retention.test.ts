import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { ReportProblem } from '../../../../../src/core/node.js';
import { Retention, RETENTION_BATCH } from '../../../../../src/plugins/sinks/sqlite/retention.js';

beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval', 'setImmediate', 'Date'], now: 1_000_000 });
});
afterEach(() => {
  mock.timers.reset();
});

interface Harness {
  readonly retention: Retention;
  readonly calls: { cutoffUs: number; limit: number }[];
  readonly reports: string[];
  deleted: number;
  /** Rows older than the cutoff that are left. */
  old: number;
  failing: boolean;
}

function harness(keepSeconds: number): Harness {
  const reports: string[] = [];
  const report: ReportProblem = (code, message) => {
    reports.push(`${code} ${message}`);
    return reports.length;
  };
  const h: Harness = {
    calls: [],
    reports,
    deleted: 0,
    old: 0,
    failing: false,
    retention: undefined as unknown as Retention,
  };
  const retention = new Retention({
    keepSeconds,
    target: '/data/lab.db',
    report,
    deleteOlder: (cutoffUs, limit) => {
      h.calls.push({ cutoffUs, limit });
      if (h.failing) throw new Error('database is locked');
      const count = Math.min(limit, h.old);
      h.old -= count;
      return count;
    },
    deleted: (count) => {
      h.deleted += count;
    },
  });
  return Object.assign(h, { retention });
}

test('checks every tenth of keep (at least 1 s, at most a minute), deleting older rows in small batches', () => {
  const h = harness(10);
  h.old = RETENTION_BATCH * 2 + 5;
  h.retention.start();
  mock.timers.tick(999);
  assert.equal(h.calls.length, 0);
  mock.timers.tick(1);
  // One batch per turn of the event loop (setImmediate), until one comes back short.
  assert.equal(h.calls.length, 3);
  for (const call of h.calls) {
    assert.deepEqual(call, { cutoffUs: (1_001_000 - 10_000) * 1000, limit: RETENTION_BATCH });
  }
  h.retention.stop();
  assert.equal(h.deleted, RETENTION_BATCH * 2 + 5);
  assert.equal(h.old, 0);
  assert.deepEqual(h.reports, []);
});

test('a long keep is checked once a minute', () => {
  const h = harness(30 * 86_400);
  h.retention.start();
  mock.timers.tick(59_999);
  assert.equal(h.calls.length, 0);
  mock.timers.tick(1);
  assert.equal(h.calls.length, 1);
  h.retention.stop();
});

test('a failed delete is reported with the path and tried again at the next check', () => {
  const h = harness(10);
  h.old = 5;
  h.failing = true;
  h.retention.start();
  mock.timers.tick(1000);
  assert.equal(h.reports.length, 1);
  assert.match(
    h.reports[0] ?? '',
    /^DATALOGD_ERR_STORE_RETENTION_FAILED Cannot delete old rows from \/data\/lab\.db: database is locked/,
  );
  h.failing = false;
  mock.timers.tick(1000);
  assert.equal(h.deleted, 5);
  h.retention.stop();
});

test('stop() leaves no timer or pending batch behind', () => {
  const idle = harness(10);
  idle.retention.start();
  idle.retention.stop();
  mock.timers.tick(5000);
  assert.equal(idle.calls.length, 0);
  // Stopped in the middle of a sweep: the next batch, already scheduled, does nothing.
  const busy = harness(10);
  busy.old = RETENTION_BATCH * 3;
  busy.retention.start();
  const calls = busy.calls;
  calls.push = (...items) => {
    busy.retention.stop();
    return Array.prototype.push.apply(calls, items);
  };
  mock.timers.tick(5000);
  assert.equal(busy.calls.length, 1);
});
