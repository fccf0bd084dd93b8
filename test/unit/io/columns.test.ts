import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildColumns, cellText, columnLabel, formatTemplate } from '../../../src/io/columns.js';

describe('formatTemplate', () => {
  test('formatTemplate handles escapes and a fixed-point spec', () => {
    assert.equal(formatTemplate('{{x}}_{v:.2f}_{s}', { v: 1.5, s: 'k' }), '{x}_1.50_k');
  });

  test('a missing field is left as written and reported by name', () => {
    const missing: string[] = [];
    assert.equal(
      formatTemplate('{type}_{id}', { id: 3 }, (n) => missing.push(n)),
      '{type}_3',
    );
    assert.deepEqual(missing, ['type']);
  });
});

describe('buildColumns', () => {
  test('one column per (record, key) present, in record then key order, values listified', () => {
    const a = { type: 't', id: 'a', timestamp: [1, 2], value: [3, 4] };
    const b = { type: 't', id: 'b', value: 5 };
    const columns = buildColumns([a, b, 7], ['timestamp', 'value']);
    assert.deepEqual(
      columns.map((c) => [c.key, c.labelIndex, c.record, c.values]),
      [
        ['timestamp', 0, a, [1, 2]],
        ['value', 1, a, [3, 4]],
        ['value', 1, b, [5]],
        ['data', -1, undefined, [7]],
      ],
    );
  });

  test('a single record that is not in a list is one receipt; nothing gives no columns', () => {
    assert.equal(buildColumns({ value: 1 }, ['value']).length, 1);
    assert.deepEqual(buildColumns([], ['value']), []);
    assert.deepEqual(buildColumns([{ id: 'x' }], ['value']), []);
  });
});

describe('columnLabel', () => {
  const [ts, value, data] = buildColumns(
    [{ type: 'analog', id: 'w0', timestamp: 1, value: 2 }, 'loose'],
    ['timestamp', 'value'],
  );

  test('the key template filled from the record, "data" for a non-record', () => {
    assert.equal(columnLabel(value!, ['timestamp', '{type}_{id}']), 'analog_w0');
    assert.equal(columnLabel(ts!, ['timestamp', '{type}_{id}']), 'timestamp');
    assert.equal(columnLabel(data!, ['timestamp', '{type}_{id}']), 'data');
  });

  test('labels shorter than keys fall back to the key name', () => {
    assert.equal(columnLabel(value!, ['timestamp']), 'value');
  });

  test('a placeholder the record cannot fill is reported with its template', () => {
    const heard: string[] = [];
    columnLabel(value!, ['t', '{units}'], (name, template) => heard.push(`${name} in ${template}`));
    assert.deepEqual(heard, ['units in {units}']);
  });
});

describe('cellText', () => {
  test('numbers as JavaScript prints them, dates in ISO 8601, nothing as empty', () => {
    assert.equal(cellText(55.0), '55');
    assert.equal(cellText(new Date('2024-05-09T01:00:00Z')), '2024-05-09T01:00:00.000Z');
    assert.equal(cellText(null), '');
    assert.equal(cellText({ a: 1 }), '{"a":1}');
  });
});
