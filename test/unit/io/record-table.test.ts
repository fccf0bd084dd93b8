import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  rowBytes,
  RowMaker,
  rowToRecord,
  timestampToUs,
  type RecordRow,
  type StoredRow,
} from '../../../src/io/record-table.js';

const T0 = Date.parse('2024-05-06T07:08:09.123Z');

function stored(row: RecordRow): StoredRow {
  return {
    time_us: row.timeUs,
    stamped: row.stamped ? 1 : 0,
    type: row.type,
    id: row.id,
    value: row.value,
    units: row.units,
    extra: row.extra,
  };
}

function maker(now = T0 + 5000): RowMaker {
  const rows = new RowMaker(() => now);
  rows.beginReceipt();
  return rows;
}

test('timestampToUs: Dates to the millisecond, ISO text to the microsecond, else undefined', () => {
  const cases: [unknown, number | undefined][] = [
    [new Date(T0), T0 * 1000],
    ['2024-05-06T07:08:09.123Z', T0 * 1000],
    ['2024-05-06T07:08:09.123456Z', T0 * 1000 + 456],
    ['2024-05-06T07:08:09.1234567Z', T0 * 1000 + 456],
    ['2024-05-06 07:08:09.123456+00:00', T0 * 1000 + 456],
    ['2024-05-06T09:08:09,5+02:00', (T0 - 123 + 500) * 1000],
    ['2024-05-06T07:08:09Z', (T0 - 123) * 1000],
    ['1969-12-31T23:59:59.999999Z', -1],
    [new Date(Number.NaN), undefined],
    ['soon', undefined],
    [1714979289, undefined],
    [null, undefined],
  ];
  for (const [value, expected] of cases) {
    assert.equal(timestampToUs(value), expected, String(value));
  }
});

test('the usual record fills the columns and leaves extra empty', () => {
  const { row, badTimestamp } = maker().row({
    type: 'temperature',
    id: 'A',
    value: 21.5,
    units: 'C',
    timestamp: new Date(T0),
  });
  assert.equal(badTimestamp, false);
  assert.deepEqual(row, {
    timeUs: T0 * 1000,
    stamped: true,
    seq: 1,
    receipt: 1,
    type: 'temperature',
    id: 'A',
    value: 21.5,
    units: 'C',
    extra: null,
  });
});

test('values that are not plain numbers keep their exact form in extra', () => {
  const rows = maker();
  const value = (v: unknown): Pick<RecordRow, 'value' | 'extra'> => {
    const { row } = rows.row({ type: 't', value: v });
    return { value: row.value, extra: row.extra };
  };
  assert.deepEqual(value(true), { value: 1, extra: '{"value":true}' });
  assert.deepEqual(value(false), { value: 0, extra: '{"value":false}' });
  assert.deepEqual(value(7n), { value: 7, extra: '{"value":{"$bigint":"7"}}' });
  assert.deepEqual(value(10n ** 400n), {
    value: null,
    extra: `{"value":{"$bigint":"1${'0'.repeat(400)}"}}`,
  });
  assert.deepEqual(value(Number.NaN), { value: null, extra: '{"value":{"$float":"NaN"}}' });
  assert.deepEqual(value('open'), { value: null, extra: '{"value":"open"}' });
  assert.deepEqual(value(null), { value: null, extra: '{"value":null}' });
  assert.deepEqual(value([1, 2]), { value: null, extra: '{"value":[1,2]}' });
  assert.deepEqual(value(undefined), { value: null, extra: null });
});

test('type, id and units go to their columns only as text without NUL; else to extra', () => {
  const { row } = maker().row({ type: 7, id: 'a\u0000b', units: ['m'] });
  assert.deepEqual([row.type, row.id, row.units], [null, null, null]);
  assert.equal(row.extra, '{"type":7,"id":"a\\u0000b","units":["m"]}');
});

test('the time: a Date in the column; ISO text in the column and kept as text; else the receipt time', () => {
  const rows = maker(T0 + 5000);
  const iso = rows.row({ value: 1, timestamp: '2024-05-06T07:08:09.123456Z' });
  assert.equal(iso.row.timeUs, T0 * 1000 + 456);
  assert.equal(iso.row.stamped, true);
  assert.equal(iso.row.extra, '{"timestamp":"2024-05-06T07:08:09.123456Z"}');
  const none = rows.row({ value: 1 });
  assert.deepEqual(
    [none.row.timeUs, none.row.stamped, none.badTimestamp],
    [(T0 + 5000) * 1000, false, false],
  );
  const bad = rows.row({ value: 1, timestamp: 'soon' });
  assert.deepEqual(
    [bad.row.timeUs, bad.row.stamped, bad.badTimestamp],
    [(T0 + 5000) * 1000, false, true],
  );
  assert.equal(bad.row.extra, '{"timestamp":"soon"}');
  const nullStamp = rows.row({ value: 1, timestamp: null });
  assert.equal(nullStamp.badTimestamp, false, 'null is "no timestamp", not a bad one');
  assert.equal(nullStamp.row.extra, '{"timestamp":null}');
  const invalidDate = rows.row({ value: 1, timestamp: new Date(Number.NaN) });
  assert.equal(invalidDate.badTimestamp, true);
  assert.equal(invalidDate.row.extra, '{"timestamp":{"$date":null}}');
});

test('records are numbered in the run, receipts per beginReceipt, the receipt time taken once', () => {
  let now = T0;
  const rows = new RowMaker(() => now);
  rows.beginReceipt();
  const a = rows.row({ value: 1 }).row;
  now += 10;
  const b = rows.row({ value: 2 }).row;
  rows.beginReceipt();
  const c = rows.row({ value: 3 }).row;
  assert.deepEqual(
    [a, b, c].map((r) => [r.seq, r.receipt, r.timeUs]),
    [
      [1, 1, T0 * 1000],
      [2, 1, T0 * 1000],
      [3, 2, (T0 + 10) * 1000],
    ],
  );
});

test('rowToRecord rebuilds every record as it was: values, types and key order', () => {
  const records: Record<string, unknown>[] = [
    { type: 'temperature', id: 'A', value: 21.5, units: 'C', timestamp: new Date(T0) },
    {
      type: 'pico',
      id: 'ch1',
      value: 'open',
      probe: { at: new Date(T0) },
      timestamp: '2024-05-06T07:08:09.123456Z',
    },
    { type: 'door', value: true, ok: null },
    { name: 'flow', value: 2.5, label: 'x' },
    { value: 1, type: 'late type' },
    { timestamp: new Date(T0), type: 'stamp first', value: 3 },
    { type: 'a', value: 1, timestamp: new Date(T0), after: 'stamp' },
    { units: 'V', value: 4 },
    { id: 'only id' },
    {},
    { type: 7, id: 3, value: null, units: ['m', 's'], big: 9n, nan: Number.NaN },
    { type: 'x', value: 10n ** 30n },
  ];
  const rows = maker();
  for (const record of records) {
    const back = rowToRecord(stored(rows.row(record).row));
    assert.deepEqual(back, record, JSON.stringify(Object.keys(record)));
    assert.deepEqual(Object.keys(back), Object.keys(record), 'key order');
  }
});

test('rowToRecord adds the receipt time only when asked; __proto__ stays a key', () => {
  const rows = maker(T0);
  const plain = stored(rows.row({ type: 't', value: 1 }).row);
  assert.deepEqual(rowToRecord(plain), { type: 't', value: 1 });
  assert.deepEqual(rowToRecord(plain, { addTimestamp: true }), {
    type: 't',
    value: 1,
    timestamp: new Date(T0),
  });
  const tricky = JSON.parse('{"type": "t", "__proto__": {"polluted": true}}') as Record<
    string,
    unknown
  >;
  const back = rowToRecord(stored(rows.row(tricky).row));
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.keys(back), ['type', '__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('rowToRecord throws on an extra that is not the JSON a store writes', () => {
  assert.throws(() =>
    rowToRecord({
      time_us: 0,
      stamped: 0,
      type: null,
      id: null,
      value: null,
      units: null,
      extra: 'oops',
    }),
  );
});

test('rowBytes counts the text of a row in UTF-8, and a fixed part', () => {
  const { row } = maker().row({ type: 'ü', id: 'a', value: 1, units: '°C', note: 'x' });
  assert.equal(rowBytes(row), 64 + 2 + 1 + 3 + Buffer.byteLength('{"note":"x"}'));
});
