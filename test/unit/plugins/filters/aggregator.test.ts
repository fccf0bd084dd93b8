import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AggregatorDataFilter } from '../../../../src/plugins/filters/aggregator.js';
import { JoinDataFilter } from '../../../../src/plugins/filters/join.js';

function aggregator(options: Record<string, unknown> = {}): {
  filter: AggregatorDataFilter;
  sent: Record<string, unknown>[][];
} {
  const filter = new AggregatorDataFilter(AggregatorDataFilter.optionsSchema.parse(options));
  const sent: Record<string, unknown>[][] = [];
  filter.connectSinks({ receive: (d: unknown) => sent.push(d as Record<string, unknown>[]) });
  return { filter, sent };
}

const reading = (id: string, value: number, timestamp = value): Record<string, unknown> => ({
  type: 'temperature',
  id,
  value,
  timestamp,
});

describe('AggregatorDataFilter', () => {
  test('aggregates by position: record i joins aggregate i, values collect in order', () => {
    const { filter, sent } = aggregator({ send_every: 1 });
    filter.receive([reading('a', 1), reading('b', 10)]);
    filter.receive([reading('a', 2), reading('b', 20)]);
    assert.deepEqual(sent[1], [
      { type: 'temperature', id: 'a', value: [1, 2], timestamp: [1, 2] },
      { type: 'temperature', id: 'b', value: [10, 20], timestamp: [10, 20] },
    ]);
  });

  test('a different key set, or a different non-aggregated value, starts a new aggregate at the end', () => {
    const { filter, sent } = aggregator({ send_every: 1 });
    filter.receive([reading('a', 1), reading('b', 10)]);
    // Position 0 now holds b: its id differs from aggregate 0, so it is appended.
    filter.receive([reading('b', 11), reading('b', 12)]);
    // Position 1 gains a field: key sets differ.
    filter.receive([reading('a', 2), { ...reading('b', 13), units: 'C' }]);
    assert.deepEqual(sent[2], [
      { type: 'temperature', id: 'a', value: [1, 2], timestamp: [1, 2] },
      { type: 'temperature', id: 'b', value: [10, 12], timestamp: [10, 12] },
      { type: 'temperature', id: 'b', value: [11], timestamp: [11] },
      { type: 'temperature', id: 'b', value: [13], timestamp: [13], units: 'C' },
    ]);
  });

  test('non-aggregated values compare with Python equality (1 == 1.0 == true)', () => {
    const { filter, sent } = aggregator({ send_every: 1, aggregate: 'value' });
    filter.receive({ id: 1, flag: true, value: 5 });
    filter.receive({ id: 1.0, flag: 1, value: 6 });
    assert.deepEqual(sent[1], [{ id: 1, flag: true, value: [5, 6] }]);
  });

  test('keeps at most buffer_size values, dropping the oldest', () => {
    const { filter, sent } = aggregator({ buffer_size: 3, send_every: 1 });
    for (let i = 1; i <= 5; i++) filter.receive(reading('a', i));
    assert.deepEqual(sent[4], [
      { type: 'temperature', id: 'a', value: [3, 4, 5], timestamp: [3, 4, 5] },
    ]);
  });

  test('sends every send_every receipts; values of 1 or less send every receipt', () => {
    const { filter, sent } = aggregator({ send_every: 3 });
    for (let i = 1; i <= 7; i++) filter.receive(reading('a', i));
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1]?.[0]?.['value'], [1, 2, 3, 4, 5, 6]);
    const every = aggregator({ send_every: 0 });
    every.filter.receive(reading('a', 1));
    assert.equal(every.sent.length, 1);
  });

  test('sends a fresh list of fresh records each time, and never changes its input', () => {
    const { filter, sent } = aggregator({ send_every: 1 });
    const input = [reading('a', 1)];
    filter.receive(input);
    assert.deepEqual(input, [reading('a', 1)], 'input untouched');
    const first = sent[0] as Record<string, unknown>[];
    (first[0]?.['value'] as number[]).push(999);
    filter.receive([reading('a', 2)]);
    const second = sent[1] as Record<string, unknown>[];
    assert.notEqual(first, second);
    assert.deepEqual(
      second[0]?.['value'],
      [1, 2],
      'a sink changing what it got changes nothing here',
    );
    assert.deepEqual(first[0]?.['value'], [1, 999], 'what was sent does not change afterwards');
  });

  test('a list value starts as its items (Python listify), later lists are appended whole', () => {
    const { filter, sent } = aggregator({ send_every: 1, aggregate: ['value'] });
    filter.receive({ id: 'x', value: [1, 2] });
    filter.receive({ id: 'x', value: [3] });
    assert.deepEqual(sent[1], [{ id: 'x', value: [1, 2, [3]] }]);
  });

  test('items that are not records are dropped and counted', () => {
    const { filter, sent } = aggregator({ send_every: 1 });
    filter.receive(['text', reading('a', 1)]);
    assert.deepEqual(sent[0], [{ type: 'temperature', id: 'a', value: [1], timestamp: [1] }]);
    assert.equal(filter.stats()['skipped'], 1);
  });

  test('max_records bounds the aggregates, dropping the one updated longest ago', () => {
    const { filter, sent } = aggregator({ send_every: 1, max_records: 2 });
    filter.receive([reading('a', 1)]);
    filter.receive([reading('b', 1)]); // mismatch at 0: appended
    filter.receive([reading('a', 2)]); // a updated
    filter.receive([reading('c', 1)]); // appended; b is the stalest
    assert.deepEqual(
      sent[3]?.map((r) => [r['id'], r['value']]),
      [
        ['a', [1, 2]],
        ['c', [1]],
      ],
    );
    assert.equal(filter.stats()['evicted'], 1);
    assert.equal(filter.stats()['aggregated_records'], 2);
  });
});

describe('JoinDataFilter', () => {
  function join(count?: number): { filter: JoinDataFilter; sent: unknown[] } {
    const filter = new JoinDataFilter(
      JoinDataFilter.optionsSchema.parse(count === undefined ? {} : { count }),
    );
    const sent: unknown[] = [];
    filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
    return { filter, sent };
  }

  test('joins count receipts into one list, lists contributing their items', () => {
    const { filter, sent } = join(3);
    filter.receive([1, 2]);
    filter.receive({ a: 1 });
    assert.equal(sent.length, 0);
    filter.receive('x');
    assert.deepEqual(sent, [[1, 2, { a: 1 }, 'x']]);
    filter.receive([4]);
    filter.receive([5]);
    filter.receive([6]);
    assert.deepEqual(sent[1], [4, 5, 6]);
  });

  test('default count is 2; 1 or less passes every receipt on as a list', () => {
    const pair = join();
    pair.filter.receive(1);
    pair.filter.receive(2);
    assert.deepEqual(pair.sent, [[1, 2]]);
    const single = join(0);
    single.filter.receive(7);
    assert.deepEqual(single.sent, [[7]]);
  });

  test('never changes its input lists', () => {
    const { filter } = join(2);
    const first = [1];
    filter.receive(first);
    filter.receive([2]);
    assert.deepEqual(first, [1]);
  });
});
