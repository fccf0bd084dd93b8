import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tableRows, type TableLayout } from '../../../src/io/table.js';

const layout: TableLayout = {
  rowKey: 'timestamp',
  valueKey: 'value',
  columns: ['a', 'b', 'c'],
  columnOf: (record) => String(record.id),
  cellText: (value) => (typeof value === 'number' || typeof value === 'string' ? `${value}` : ''),
};

describe('tableRows', () => {
  test('one row per time, one cell per declared column, in declared order', () => {
    const { rows, undeclared } = tableRows(
      [
        { id: 'c', timestamp: 't1', value: 3 },
        { id: 'a', timestamp: 't1', value: 1 },
        { id: 'b', timestamp: 't1', value: 2 },
      ],
      layout,
    );
    assert.deepEqual(rows, [['t1', '1', '2', '3']]);
    assert.deepEqual(undeclared, []);
  });

  test('a sensor that drops out leaves an empty cell; the others stay in their columns', () => {
    const { rows } = tableRows(
      [
        { id: 'a', timestamp: 't2', value: 1 },
        { id: 'c', timestamp: 't2', value: 3 },
      ],
      layout,
    );
    assert.deepEqual(rows, [['t2', '1', '', '3']]);
  });

  test('records with other times make their own rows, in the order the times appear', () => {
    const { rows } = tableRows(
      [
        { id: 'a', timestamp: 't1', value: 1 },
        { id: 'b', timestamp: 't2', value: 2 },
        { id: 'c', timestamp: 't1', value: 3 },
      ],
      layout,
    );
    assert.deepEqual(rows, [
      ['t1', '1', '', '3'],
      ['t2', '', '2', ''],
    ]);
  });

  test('aggregated lists fill several rows, cut to the shorter list as in the Python layout', () => {
    const { rows } = tableRows(
      [
        { id: 'a', timestamp: ['t1', 't2', 't3'], value: [1, 2, 3] },
        { id: 'b', timestamp: ['t2', 't3'], value: [20, 30, 40] },
      ],
      layout,
    );
    assert.deepEqual(rows, [
      ['t1', '1', '', ''],
      ['t2', '2', '20', ''],
      ['t3', '3', '30', ''],
    ]);
  });

  test('a second value for the same column and time gets a row of its own, so none is lost', () => {
    const { rows } = tableRows(
      [
        { id: 'a', timestamp: 't1', value: 1 },
        { id: 'a', timestamp: 't1', value: 2 },
        { id: 'b', timestamp: 't1', value: 9 },
      ],
      layout,
    );
    assert.deepEqual(rows, [
      ['t1', '1', '9', ''],
      ['t1', '2', '', ''],
    ]);
  });

  test('undeclared columns are left out and named, one entry per value', () => {
    const { rows, undeclared } = tableRows(
      [
        { id: 'a', timestamp: 't1', value: 1 },
        { id: 'zzz', timestamp: ['t1', 't2'], value: [5, 6] },
        7,
      ],
      layout,
    );
    assert.deepEqual(rows, [['t1', '1', '', '']]);
    assert.deepEqual(undeclared, ['zzz', 'zzz', 'data']);
  });

  test('a record without the value key is not a reading; one without a time has an empty time', () => {
    const { rows } = tableRows(
      [
        { id: 'a', timestamp: 't1' },
        { id: 'b', value: 2 },
      ],
      layout,
    );
    assert.deepEqual(rows, [['', '', '2', '']]);
  });

  test('an item that is not a record goes to a declared "data" column', () => {
    const { rows } = tableRows([4], { ...layout, columns: ['data'] });
    assert.deepEqual(rows, [['', '4']]);
  });
});
