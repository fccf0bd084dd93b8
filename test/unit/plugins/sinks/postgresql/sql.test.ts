import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowMaker } from '../../../../../src/io/record-table.js';
import {
  createStatements,
  insertParameters,
  insertStatement,
  quoteIdentifier,
} from '../../../../../src/plugins/sinks/postgresql/sql.js';
import { classify } from '../../../../../src/plugins/sinks/postgresql/transport.js';

test('one INSERT per batch: the columns as arrays, conflicts on the row key skipped', () => {
  const sql = insertStatement('lab');
  assert.match(sql, /^INSERT INTO "lab"\.records/);
  assert.match(sql, /FROM unnest\(\$3::bigint\[\]/);
  assert.match(sql, /ON CONFLICT DO NOTHING$/);
  const maker = new RowMaker(() => 1000);
  maker.beginReceipt();
  const batch = [
    maker.row({ type: 'a', id: 'x', value: 1.5, units: 'V', timestamp: new Date(2) }).row,
    maker.row({ type: 'b', value: 'text' }).row,
  ];
  assert.deepEqual(insertParameters('night', '7', batch), [
    'night',
    '7',
    [2000, 1_000_000],
    [1, 2],
    [1, 1],
    [true, false],
    ['a', 'b'],
    ['x', null],
    [1.5, null],
    ['V', null],
    [null, '{"value":"text"}'],
  ]);
});

test('the layout: a unique key that holds time (for hypertables) and a time index', () => {
  const ddl = createStatements('lab').join('\n');
  assert.match(
    ddl,
    /CREATE UNIQUE INDEX IF NOT EXISTS records_key ON "lab"\.records \(run_no, seq, time\)/,
  );
  assert.match(ddl, /CREATE INDEX IF NOT EXISTS records_time ON "lab"\.records \(time\)/);
  assert.match(ddl, /time timestamptz NOT NULL/);
  assert.equal(quoteIdentifier('a"b'), '"a""b"');
});

test('classify: what a failure means for the batch', () => {
  const cases: [unknown, string, boolean][] = [
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'unavailable',
      true,
    ],
    [new Error('Connection terminated unexpectedly'), 'unavailable', true],
    [Object.assign(new Error('terminating connection'), { code: '57P01' }), 'unavailable', true],
    [
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      'unavailable',
      true,
    ],
    [Object.assign(new Error('password authentication failed'), { code: '28P01' }), 'denied', true],
    [Object.assign(new Error('database "lab" does not exist'), { code: '3D000' }), 'denied', true],
    [Object.assign(new Error('value out of range'), { code: '22003' }), 'refused', false],
    [Object.assign(new Error('relation does not exist'), { code: '42P01' }), 'unavailable', true],
  ];
  for (const [err, kind, needsPrepare] of cases) {
    const failure = classify(err);
    assert.equal(failure.kind, kind, String(err));
    assert.equal(failure.needsPrepare, needsPrepare, String(err));
  }
  assert.match(classify(cases[4]?.[0]).message, /^28P01 password authentication failed/);
});
