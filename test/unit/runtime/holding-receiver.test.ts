import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportProblem } from '../../../src/core/problems.js';
import { HoldingReceiver, RELOAD_HOLD_LIMIT } from '../../../src/runtime/holding-receiver.js';

function recorder(): { report: ReportProblem; events: { message: string; count: number }[] } {
  const events: { message: string; count: number }[] = [];
  return {
    events,
    report: (_code, message, options) => {
      events.push({ message, count: options?.count ?? 1 });
      return events.length;
    },
  };
}

test('what is held is handed over in order, once', () => {
  const { report, events } = recorder();
  const holder = new HoldingReceiver('f', report);
  for (let i = 0; i < 5; i++) holder.receive([{ value: i }]);
  const got: unknown[] = [];
  const errors: unknown[] = [];
  holder.deliverTo({ receive: (data) => got.push(data) }, (err) => errors.push(err));
  holder.deliverTo({ receive: (data) => got.push(data) }, (err) => errors.push(err));
  assert.deepEqual(errors, []);
  assert.deepEqual(
    got,
    [0, 1, 2, 3, 4].map((value) => [{ value }]),
  );
  assert.deepEqual(events, []);
});

test('beyond its limit the oldest are dropped and counted; a node that does not start loses the rest, counted', () => {
  const { report, events } = recorder();
  const holder = new HoldingReceiver('f', report);
  for (let i = 0; i < RELOAD_HOLD_LIMIT + 3; i++) holder.receive(i);
  assert.equal(holder.length, RELOAD_HOLD_LIMIT);
  assert.equal(
    events.reduce((sum, e) => sum + e.count, 0),
    3,
  );
  holder.discard('failed to start');
  assert.equal(events.at(-1)?.count, RELOAD_HOLD_LIMIT);
  assert.match(events.at(-1)?.message ?? '', /node "f" failed to start; the 10000 receipts held/);
  assert.equal(holder.length, 0);
});

test('a new instance that throws on held data is reported, and gets the rest', () => {
  const holder = new HoldingReceiver('f', recorder().report);
  holder.receive(1);
  holder.receive(2);
  const errors: unknown[] = [];
  const got: unknown[] = [];
  holder.deliverTo(
    {
      receive: (data) => {
        if (data === 1) throw new Error('bad');
        got.push(data);
      },
    },
    (err) => errors.push(err),
  );
  assert.equal(errors.length, 1);
  assert.deepEqual(got, [2]);
});
