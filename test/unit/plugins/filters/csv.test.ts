import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CSVDataFilter } from '../../../../src/plugins/filters/csv.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

function makeFilter(options: Record<string, unknown>): { filter: CSVDataFilter; got: unknown[] } {
  const filter = new CSVDataFilter(CSVDataFilter.optionsSchema.parse(options));
  const got: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => got.push(d) });
  return { filter, got };
}

const docRecords = [
  { type: 'temperature', id: '0', value: 22.35 },
  { type: 'humidity', id: '0', value: 55.0 },
  { type: 'temperature', id: '1', value: 25.8 },
];

describe('CSVDataFilter', () => {
  test('the documented example (55.0 prints as 55, the documented deviation)', () => {
    const { filter, got } = makeFilter({ keys: ['value'], labels: ['{type}_{id}'] });
    filter.receive(docRecords);
    assert.deepEqual(got, ['temperature_0,humidity_0,temperature_1\n22.35,55,25.8']);
  });

  test("header='every' repeats the header, header='once' writes it on the first output only", () => {
    const every = makeFilter({ keys: ['value'], labels: ['{type}_{id}'] });
    every.filter.receive(docRecords);
    every.filter.receive(docRecords);
    assert.deepEqual(every.got, [
      'temperature_0,humidity_0,temperature_1\n22.35,55,25.8',
      'temperature_0,humidity_0,temperature_1\n22.35,55,25.8',
    ]);
    const once = makeFilter({ keys: ['value'], labels: ['{type}_{id}'], header: 'once' });
    once.filter.receive(docRecords);
    once.filter.receive(docRecords);
    assert.deepEqual(once.got, [
      'temperature_0,humidity_0,temperature_1\n22.35,55,25.8',
      '22.35,55,25.8',
    ]);
    const none = makeFilter({ keys: ['value'], labels: ['{type}_{id}'], header: 'none' });
    none.filter.receive(docRecords);
    assert.deepEqual(none.got, ['22.35,55,25.8']);
  });

  test('aggregated list values give several rows, cut to the shortest column', () => {
    const t0 = new Date('2024-05-09T01:00:00.000Z');
    const t1 = new Date('2024-05-09T01:00:01.500Z');
    const { filter, got } = makeFilter({});
    filter.receive([
      { type: 'analog', id: 'a', timestamp: [t0, t1], value: [1, 2] },
      { type: 'analog', id: 'b', timestamp: [t0, t1, t1], value: [3.5, 4, 5] },
    ]);
    assert.deepEqual(got, [
      'timestamp,analog_a,timestamp,analog_b\n' +
        '2024-05-09T01:00:00.000Z,1,2024-05-09T01:00:00.000Z,3.5\n' +
        '2024-05-09T01:00:01.500Z,2,2024-05-09T01:00:01.500Z,4',
    ]);
  });

  test('keys missing from a record add no column; items that are not records add a "data" column', () => {
    const { filter, got } = makeFilter({ keys: ['value'], labels: ['{id}'] });
    filter.receive([{ id: 'x', value: 1 }, { id: 'y' }, 7]);
    assert.deepEqual(got, ['x,data\n1,7']);
  });

  test('nothing is sent when no column results', () => {
    const { filter, got } = makeFilter({ keys: ['value'] });
    filter.receive([]);
    filter.receive([{ id: 'no value' }]);
    assert.deepEqual(got, []);
  });

  test('cells with commas, quotes or newlines are quoted (RFC 4180)', () => {
    const { filter, got } = makeFilter({ keys: ['value'], labels: ['{id}'], header: 'none' });
    filter.receive([
      { id: 'a', value: 'x,y' },
      { id: 'b', value: 'say "hi"' },
      { id: 'c', value: 'two\nlines' },
      { id: 'd', value: null },
    ]);
    assert.deepEqual(got, ['"x,y","say ""hi""","two\nlines",']);
  });

  test('a missing placeholder is left in place and warned about once', () => {
    const { filter, got } = makeFilter({ keys: ['value'], labels: ['{type}_{id}'] });
    filter.receive([{ id: 'z', value: 1 }]);
    filter.receive([{ id: 'z', value: 2 }]);
    assert.deepEqual(got, ['{type}_z\n1', '{type}_z\n2']);
    const warnings = log.current.withCode('DATALOGD_ERR_CSV_LABEL_FIELD');
    assert.equal(warnings.length, 1, log.current.text());
    assert.match(warnings[0] ?? '', / WARNING .*"type"/);
    assert.equal(filter.stats()['missing_label_fields'], 1, 'one placeholder, counted once');
    filter.receive([{ value: 3 }]);
    assert.equal(filter.stats()['missing_label_fields'], 2, 'another placeholder: {id}');
  });

  test('labels shorter than keys fall back to the key name; keys may be one string', () => {
    const { filter, got } = makeFilter({ keys: ['value', 'units'], labels: ['{id}'] });
    filter.receive([{ id: 'p', value: 3, units: 'W' }]);
    assert.deepEqual(got, ['p,units\n3,W']);
    const single = makeFilter({ keys: 'value', labels: null });
    single.filter.receive([{ value: 3 }]);
    assert.deepEqual(single.got, ['3']);
  });

  test('an unknown header value is a schema error', () => {
    assert.equal(CSVDataFilter.optionsSchema.safeParse({ header: 'sometimes' }).success, false);
  });
});

describe('CSVDataFilter, python layout, data that cannot be encoded', () => {
  test('a cell too deep to encode skips the receipt, counted; the next one is converted', () => {
    const { filter, got } = makeFilter({ keys: ['value'], labels: ['{id}'], header: 'none' });
    filter.receive([{ id: 'a', value: [JSON.parse('['.repeat(5000) + ']'.repeat(5000))] }]);
    filter.receive([{ id: 'a', value: 1 }]);
    assert.deepEqual(got, ['1']);
    assert.equal(filter.stats().unencodable, 1);
    assert.match(log.current.withCode('DATALOGD_ERR_UNENCODABLE')[0] ?? '', /nested too deeply/);
  });
});

describe("CSVDataFilter, layout='table'", () => {
  const t0 = new Date('2024-05-09T01:00:00.000Z');
  const t1 = new Date('2024-05-09T01:00:01.000Z');
  const reading = (id: string, value: unknown, timestamp: unknown = t0): object => ({
    type: 'analog',
    id,
    value,
    timestamp,
  });
  const table = { layout: 'table', columns: ['analog_a', 'analog_b', 'analog_c'] };

  test('one time column, the declared columns, the header once by default', () => {
    const { filter, got } = makeFilter(table);
    filter.receive([reading('a', 1), reading('b', 2), reading('c', 3)]);
    filter.receive([reading('c', 6, t1), reading('a', 4, t1), reading('b', 5, t1)]);
    assert.deepEqual(got, [
      'timestamp,analog_a,analog_b,analog_c\n2024-05-09T01:00:00.000Z,1,2,3',
      '2024-05-09T01:00:01.000Z,4,5,6',
    ]);
  });

  test('a sensor that drops out gives an empty cell, where the python layout shifts the values', () => {
    const { filter, got } = makeFilter({ ...table, header: 'none' });
    filter.receive([reading('a', 1), reading('c', 3)]);
    assert.deepEqual(got, ['2024-05-09T01:00:00.000Z,1,,3']);
    // The same receipt in Python's layout: c's value stands under b's header.
    const python = makeFilter({ header: 'none' });
    python.filter.receive([reading('a', 1), reading('c', 3)]);
    python.filter.receive([reading('a', 1), reading('b', 2), reading('c', 3)]);
    const [short, full] = python.got as string[];
    assert.equal(short?.split(',').length, 4);
    assert.equal(full?.split(',').length, 6);
  });

  test('aggregated records give one row per time, the header once', () => {
    const { filter, got } = makeFilter(table);
    filter.receive([reading('a', [1, 2], [t0, t1]), reading('b', [20], [t1])]);
    assert.deepEqual(got, [
      'timestamp,analog_a,analog_b,analog_c\n' +
        '2024-05-09T01:00:00.000Z,1,,\n' +
        '2024-05-09T01:00:01.000Z,2,20,',
    ]);
  });

  test('a record of an undeclared column is left out, counted and reported', () => {
    const { filter, got } = makeFilter({ ...table, header: 'none' });
    filter.receive([reading('a', 1), reading('new\nline', 9)]);
    assert.deepEqual(got, ['2024-05-09T01:00:00.000Z,1,,']);
    assert.equal(filter.stats().undeclared_records, 1);
    const reports = log.current.withCode('DATALOGD_ERR_CSV_UNDECLARED_COLUMN');
    assert.equal(reports.length, 1, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*column "analog_new\\nline" is not in columns/);
  });

  test('labels name the time column and pick the column of each record; header every if asked', () => {
    const { filter, got } = makeFilter({
      layout: 'table',
      columns: ['a', 'b'],
      keys: ['time', 'reading'],
      labels: ['Time (s)', '{id}'],
      header: 'every',
    });
    filter.receive([
      { id: 'b', time: 2, reading: 'x,y' },
      { id: 'a', time: 2, reading: 1 },
    ]);
    filter.receive([{ id: 'a', time: 3, reading: 4 }]);
    assert.deepEqual(got, ['Time (s),a,b\n2,1,"x,y"', 'Time (s),a,b\n3,4,']);
  });

  test('a receipt with nothing for the table sends nothing', () => {
    const { filter, got } = makeFilter(table);
    filter.receive([]);
    filter.receive([{ type: 'analog', id: 'a' }]);
    assert.deepEqual(got, []);
  });

  test('the options are checked: columns needed, two keys, no duplicates, columns only for tables', () => {
    const problems = (options: Record<string, unknown>): string[] => {
      const result = CSVDataFilter.optionsSchema.safeParse(options);
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(problems({ layout: 'table' }), [
      "columns: is needed with layout='table': name the table's columns, such as \"['analog_a']\"",
    ]);
    assert.deepEqual(problems({ layout: 'table', columns: ['a', 'a'], keys: ['value'] }), [
      "keys: takes two keys with layout='table': the time (row) key and the value key",
      'columns: names "a" twice',
    ]);
    assert.deepEqual(problems({ columns: ['a'] }), ["columns: is only used with layout='table'"]);
    assert.deepEqual(problems({ layout: 'table', columns: 'a' }), []);
    assert.equal(CSVDataFilter.optionsSchema.safeParse({ layout: 'wide' }).success, false);
  });
});
