import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AggregatorDataFilter } from '../../../../src/plugins/filters/aggregator.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

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
    assert.equal(log.current.withCode('DATALOGD_ERR_AGGREGATE_NOT_RECORD').length, 1);
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
    const evictions = log.current.withCode('DATALOGD_ERR_AGGREGATE_EVICTED');
    assert.equal(evictions.length, 1, log.current.text());
    assert.match(evictions[0] ?? '', / WARNING .*\(1 so far\)/);
  });

  test('stats count receipts and sends, and show the aggregated records held now', () => {
    const { filter } = aggregator({ send_every: 2 });
    assert.deepEqual(filter.stats(), {
      sink_errors: 0,
      receipts: 0,
      sends: 0,
      skipped: 0,
      evicted: 0,
      aggregated_records: 0,
    });
    for (let i = 1; i <= 5; i++) filter.receive([reading('a', i), reading('b', i)]);
    assert.equal(filter.stats()['receipts'], 5);
    assert.equal(filter.stats()['sends'], 2);
    assert.equal(filter.stats()['aggregated_records'], 2);
  });
});
