import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MATCH_ANY } from '../../../../src/python/values.js';
import {
  PolynomialFunctionDataFilter,
  polynomial,
} from '../../../../src/plugins/filters/polynomial.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

function make(options: Record<string, unknown> = {}): {
  filter: PolynomialFunctionDataFilter;
  sent: unknown[];
} {
  const filter = new PolynomialFunctionDataFilter(
    PolynomialFunctionDataFilter.optionsSchema.parse(options),
  );
  const sent: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
  return { filter, sent };
}

function once(options: Record<string, unknown>, data: unknown): unknown[] {
  const { filter, sent } = make(options);
  filter.receive(data);
  assert.equal(sent.length, 1);
  return sent[0] as unknown[];
}

describe('PolynomialFunctionDataFilter', () => {
  test('the defaults (c0=0, c1=1, every record with a type and an id) leave values as they are', () => {
    const records = [
      { type: 'analog', id: 'a', value: 2.5 },
      { id: 'no type', value: 3 },
    ];
    assert.deepEqual(once({}, records), records);
  });

  test('applies c0 + c1 x + c2 x^2 to matching records and sets units', () => {
    const out = once(
      {
        match_keyvals: [['id', 'A_.*']],
        coeffs: [1, 2, 3],
        units: 'V',
      },
      [
        { type: 'analog', id: 'A_0', value: 2 },
        { type: 'analog', id: 'B_0', value: 2 },
      ],
    );
    assert.deepEqual(out, [
      { type: 'analog', id: 'A_0', value: 1 + 2 * 2 + 3 * 4, units: 'V' },
      { type: 'analog', id: 'B_0', value: 2 },
    ]);
  });

  test('sums the terms from zero in Python order', () => {
    assert.equal(polynomial([0.1, 0.2, 0.3], 0.7), 0 + 0.1 * 1 + 0.2 * 0.7 + 0.3 * 0.7 ** 2);
    assert.equal(polynomial([-0.5, 0.01], 1234), -0.5 + 0.01 * 1234);
  });

  test('rounds half to even, as numpy rounds, including to the left of the point', () => {
    assert.deepEqual(once({ coeffs: [0, 1], rounding: 2 }, { type: 't', id: 'x', value: 0.125 }), [
      { type: 't', id: 'x', value: 0.12 },
    ]);
    assert.deepEqual(once({ coeffs: [0, 1], rounding: 0 }, { type: 't', id: 'x', value: 2.5 }), [
      { type: 't', id: 'x', value: 2 },
    ]);
    assert.deepEqual(once({ coeffs: [0, 10], rounding: -2 }, { type: 't', id: 'x', value: 125 }), [
      { type: 't', id: 'x', value: 1200 },
    ]);
    assert.deepEqual(once({ rounding: 2 }, { type: 't', id: 'x', value: 2.675 }), [
      { type: 't', id: 'x', value: 2.68 },
    ]);
  });

  test('works element by element on an aggregated list of numbers', () => {
    const out = once({ coeffs: [1, 2], rounding: 1 }, [
      { type: 'analog', id: 'a', value: [0, 0.125, 1, [2, 3]] },
    ]);
    assert.deepEqual(out, [{ type: 'analog', id: 'a', value: [1, 1.2, 3, [5, 7]] }]);
  });

  test('never changes its input: the record is copied', () => {
    const record = { type: 'analog', id: 'a', value: 2 };
    const input = [record];
    const out = once({ coeffs: [0, 3], units: 'mV' }, input);
    assert.deepEqual(record, { type: 'analog', id: 'a', value: 2 });
    assert.deepEqual(input, [record]);
    assert.notEqual(out[0], record);
  });

  test('transforms another field when `value` names it', () => {
    assert.deepEqual(once({ value: 'raw', coeffs: [0, 2] }, { type: 'a', id: 'b', raw: 4 }), [
      { type: 'a', id: 'b', raw: 8 },
    ]);
  });

  test('records lacking the field, and items that are not records, pass unchanged', () => {
    const items = [{ type: 'a', id: 'b' }, 'text', 5, null];
    assert.deepEqual(once({ coeffs: [1, 1] }, items), items);
  });

  test('a value that is not a number passes unchanged and is counted', () => {
    const { filter, sent } = make({ coeffs: [1, 1] });
    const items = [
      { type: 'a', id: 'b', value: 'high' },
      { type: 'a', id: 'c', value: [1, 'x'] },
      { type: 'a', id: 'd', value: null },
      { type: 'a', id: 'e', value: 1 },
    ];
    filter.receive(items);
    assert.deepEqual(sent[0], [items[0], items[1], items[2], { type: 'a', id: 'e', value: 2 }]);
    assert.equal(filter.stats()['not_numeric'], 3);
    assert.equal(filter.stats()['changed'], 1);
    const reports = log.current.withCode('DATALOGD_ERR_NOT_NUMERIC');
    assert.equal(reports.length, 3, log.current.text());
    assert.match(reports[2] ?? '', / WARNING .*\(3 so far\)/);
  });

  test('NotImplemented in match_keyvals matches any value of a present key', () => {
    const out = once({ match_keyvals: [['id', MATCH_ANY]], coeffs: [0, 2] }, [
      { id: 7, value: 1 },
      { value: 1 },
    ]);
    assert.deepEqual(out, [{ id: 7, value: 2 }, { value: 1 }]);
  });

  test('the schema refuses an empty coefficient list and truncates rounding', () => {
    const schema = PolynomialFunctionDataFilter.optionsSchema;
    assert.equal(schema.safeParse({ coeffs: [] }).success, false);
    assert.equal(schema.parse({ rounding: 2.7 }).rounding, 2);
  });
});
