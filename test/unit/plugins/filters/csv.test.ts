import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CSVDataFilter, formatTemplate } from '../../../../src/plugins/filters/csv.js';
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

  test('formatTemplate handles escapes and a fixed-point spec', () => {
    assert.equal(formatTemplate('{{x}}_{v:.2f}_{s}', { v: 1.5, s: 'k' }), '{x}_1.50_k');
  });

  test('an unknown header value is a schema error', () => {
    assert.equal(CSVDataFilter.optionsSchema.safeParse({ header: 'sometimes' }).success, false);
  });
});
