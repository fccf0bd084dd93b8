import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyValDataFilter } from '../../../../src/plugins/filters/keyval.js';

function run(options: Record<string, unknown>, data: unknown): unknown[] {
  const filter = new KeyValDataFilter(KeyValDataFilter.optionsSchema.parse(options));
  const got: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => got.push(d) });
  filter.receive(data);
  assert.equal(got.length, 1, 'one send per receipt');
  return got[0] as unknown[];
}

const records = [
  { type: 'temperature', id: 'A_0', value: 21.5 },
  { type: 'humidity', id: 'A_0', value: 55 },
  { id: 'no_type', value: 1 },
  { type: 'temperature', id: 'B_1', value: 20 },
];

describe('KeyValDataFilter', () => {
  test('select=true keeps the records matching every pair', () => {
    const out = run({ keyvals: [['type', 'temperature']] }, records);
    assert.deepEqual(out, [records[0], records[3]]);
  });

  test('select=false keeps the others, including records that lack the key', () => {
    const out = run({ select: false, keyvals: [['type', 'temperature']] }, records);
    assert.deepEqual(out, [records[1], records[2]]);
  });

  test('string values are regexes that must match the whole field', () => {
    assert.deepEqual(run({ keyvals: [['id', 'A_.*']] }, records), [records[0], records[1]]);
    assert.deepEqual(run({ keyvals: [['id', 'A_']] }, records), []);
    assert.deepEqual(run({ keyvals: [['type', 'temp']] }, records), []);
  });

  test('equality is Python equality: 1 == 1.0 == True', () => {
    const flags = [
      { id: 'a', value: true },
      { id: 'b', value: 1 },
      { id: 'c', value: 0 },
      { id: 'd', value: '1' },
    ];
    assert.deepEqual(
      run({ keyvals: [['value', 1]] }, flags).map((r) => (r as { id: string }).id),
      ['a', 'b'],
    );
    assert.deepEqual(
      run({ keyvals: [['value', true]] }, flags).map((r) => (r as { id: string }).id),
      ['a', 'b'],
    );
  });

  test('legacy key/val form; the default matches only type == null', () => {
    assert.deepEqual(run({ key: 'id', val: 'B_1' }, records), [records[3]]);
    assert.deepEqual(run({}, [{ type: null, id: 'x' }, { type: 'a' }, {}]), [
      { type: null, id: 'x' },
    ]);
  });

  test('always sends a list; a single record is listified; non-records never match', () => {
    assert.deepEqual(run({ keyvals: [['type', 'x']] }, { type: 'x' }), [{ type: 'x' }]);
    assert.deepEqual(run({ keyvals: [['type', 'x']] }, []), []);
    assert.deepEqual(run({ keyvals: [['type', 'x']] }, [null, 5, 'x']), []);
    assert.deepEqual(run({ select: false, keyvals: [['type', 'x']] }, [null, 5]), [null, 5]);
  });

  test('select accepts Python truthiness from numbers', () => {
    assert.deepEqual(run({ select: 0, keyvals: [['type', 'humidity']] }, records).length, 3);
  });

  test('keyvals must be a list of pairs', () => {
    assert.equal(
      KeyValDataFilter.optionsSchema.safeParse({ keyvals: ['type', 'x'] }).success,
      false,
    );
  });

  test('does not change its input', () => {
    const input = structuredClone(records);
    run({ keyvals: [['type', 'temperature']] }, input);
    assert.deepEqual(input, records);
  });
});
