import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  recordToPoint,
  type MappingOptions,
} from '../../../../../src/plugins/sinks/influxdb/point.js';

const MAPPING: MappingOptions = {
  measurement: 'measurement',
  runTag: 'run_id',
  runId: 'R1',
  fieldKey: null,
  fieldValue: null,
};
const RECEIPT = '1700000000000000000';

function map(record: Record<string, unknown>, mapping: Partial<MappingOptions> = {}) {
  return recordToPoint(record, { ...MAPPING, ...mapping }, RECEIPT);
}

function point(record: Record<string, unknown>, mapping: Partial<MappingOptions> = {}) {
  const result = map(record, mapping);
  assert.ok(result.ok, `expected a point, got ${JSON.stringify(result)}`);
  return result.point;
}

describe('field key precedence', () => {
  const cases: readonly (readonly [string, Record<string, unknown>, string])[] = [
    ['name first', { name: 'n', label: 'l', type: 't', id: 'i', value: 1 }, 'n'],
    ['then label', { label: 'l', type: 't', id: 'i', value: 1 }, 'l'],
    ['then type_id', { type: 'temperature', id: 'A', value: 1 }, 'temperature_A'],
    ['numeric id', { type: 'analog', id: 3, value: 1 }, 'analog_3'],
    // Python wrote an empty key here.
    ['type without id', { type: 'temperature', value: 1 }, 'temperature'],
    ['id without type', { id: 'A', value: 1 }, 'data'],
    ['nothing', { value: 1 }, 'data'],
    ['empty name is absent', { name: '', type: 't', value: 1 }, 't'],
    ['non-scalar name is absent', { name: ['x'], label: 'l', value: 1 }, 'l'],
  ];
  for (const [title, record, key] of cases) {
    test(title, () => {
      assert.equal(point(record).fields[0]?.[0], key);
    });
  }

  test('field_key names the record key to use, before name', () => {
    const p = point({ sensor: 'inlet', name: 'n', value: 2 }, { fieldKey: 'sensor' });
    assert.deepEqual(p.fields, [['inlet', 2]]);
    assert.deepEqual(p.tags, [['run_id', 'R1']]);
  });

  test('field_key absent from the record falls back to the usual order', () => {
    assert.equal(point({ name: 'n', value: 2 }, { fieldKey: 'sensor' }).fields[0]?.[0], 'n');
  });
});

describe('tags', () => {
  test('the run tag plus the remaining scalar keys, sorted; value, name, label never', () => {
    const p = point({
      type: 'temperature',
      id: 'A',
      value: 21.5,
      units: 'C',
      label: 'inlet',
      name: undefined,
      source: 'tc08',
      probe: 2,
      ok: true,
      extra: { nested: 1 },
      list: [1, 2],
      nothing: null,
      empty: '',
    });
    assert.deepEqual(p.fields, [['inlet', 21.5]]);
    assert.deepEqual(p.tags, [
      ['id', 'A'],
      ['ok', 'true'],
      ['probe', '2'],
      ['run_id', 'R1'],
      ['source', 'tc08'],
      ['type', 'temperature'],
      ['units', 'C'],
    ]);
  });

  test('the field-key parts type and id are not tags when they make the key', () => {
    const p = point({ type: 'analog', id: 'a0', value: 1, units: 'V' });
    assert.deepEqual(p.tags, [
      ['run_id', 'R1'],
      ['units', 'V'],
    ]);
  });

  test('type alone as the key is not a tag either, but a lone id is', () => {
    assert.deepEqual(point({ type: 'analog', value: 1 }).tags, [['run_id', 'R1']]);
    assert.deepEqual(point({ id: 'x', value: 1 }).tags, [
      ['id', 'x'],
      ['run_id', 'R1'],
    ]);
  });

  test('the key named by field_value is not a tag, and value is not used then', () => {
    const p = point({ name: 'n', reading: 5, value: 'ignored' }, { fieldValue: 'reading' });
    assert.deepEqual(p.fields, [['n', 5]]);
    assert.deepEqual(p.tags, [['run_id', 'R1']]);
  });

  test('the 1.x run tag is called run', () => {
    assert.deepEqual(point({ value: 1 }, { runTag: 'run', runId: 'x' }).tags, [['run', 'x']]);
  });
});

describe('values', () => {
  test('numbers, booleans and strings are kept as they are', () => {
    assert.deepEqual(point({ value: 3 }).fields, [['data', 3]]);
    assert.deepEqual(point({ value: false }).fields, [['data', false]]);
    assert.deepEqual(point({ value: 'open' }).fields, [['data', 'open']]);
  });

  const skipped: readonly (readonly [string, Record<string, unknown>, RegExp])[] = [
    ['missing', { type: 't' }, /no value/],
    ['null', { value: null }, /null/],
    ['NaN', { value: NaN }, /NaN/],
    ['Infinity', { value: -Infinity }, /-Infinity/],
    ['a list', { value: [1, 2] }, /list/],
    ['an object', { value: { a: 1 } }, /object/],
    ['a Date', { value: new Date(0) }, /object/],
    ['a bigint', { value: 5n }, /bigint/],
  ];
  for (const [title, record, reason] of skipped) {
    test(`a record whose value is ${title} is skipped with a reason`, () => {
      const result = map(record);
      assert.equal(result.ok, false);
      assert.match(result.reason, reason);
    });
  }

  test('field_value missing from a record falls back to value', () => {
    assert.deepEqual(point({ value: 7 }, { fieldValue: 'reading' }).fields, [['data', 7]]);
  });
});

describe('time', () => {
  test('a Date timestamp is the point time, in nanoseconds', () => {
    const p = point({ value: 1, timestamp: new Date('2024-05-06T07:08:09.123Z') });
    assert.equal(p.timeNs, '1714979289123000000');
    assert.ok(!p.tags.some(([k]) => k === 'timestamp'));
  });

  test('an ISO string keeps its microseconds', () => {
    const p = point({ value: 1, timestamp: '2024-05-06T07:08:09.123456+00:00' });
    assert.equal(p.timeNs, '1714979289123456000');
  });

  test('no timestamp: the receipt time', () => {
    assert.equal(point({ value: 1 }).timeNs, RECEIPT);
    assert.equal(point({ value: 1, timestamp: null }).timeNs, RECEIPT);
  });

  test('an unreadable timestamp: the receipt time, flagged', () => {
    const result = map({ value: 1, timestamp: 'yesterday-ish' });
    assert.ok(result.ok);
    assert.equal(result.badTimestamp, true);
    assert.equal(result.point.timeNs, RECEIPT);
    const good = map({ value: 1, timestamp: new Date() });
    assert.ok(good.ok && !good.badTimestamp);
  });

  test('the measurement comes from the options', () => {
    assert.equal(point({ value: 1 }, { measurement: 'lab 1' }).measurement, 'lab 1');
  });
});
