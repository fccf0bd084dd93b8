import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MATCH_ANY } from '../../../../../src/python/values.js';
import { boardHeader, parseBoardLine } from '../../../../../src/plugins/sources/serial/protocol.js';

describe('parseBoardLine', () => {
  test('the reference example: values decoded like DOT attributes, other fields untouched', () => {
    const line =
      '{"board":"A","timestamp":"1601251","message":"measurement","data":[{"type":"temperature","source":"A","id":"A_TC0","value":"20.25","units":"C"}]}';
    assert.deepEqual(parseBoardLine(line), {
      kind: 'measurement',
      header: { board: 'A', timestamp: '1601251', message: 'measurement' },
      records: [{ type: 'temperature', source: 'A', id: 'A_TC0', value: 20.25, units: 'C' }],
    });
  });

  test('value decoding follows parse_dot_json', () => {
    const values = ['512', '-3.5', 'None', 'True', 'False', 'NaN', 'inf', 'on', "'quoted'", '1e3'];
    const line = JSON.stringify({
      board: 'A',
      timestamp: '1',
      message: 'measurement',
      data: values.map((value, i) => ({ id: `A_${i}`, value })),
    });
    const parsed = parseBoardLine(line);
    assert.equal(parsed.kind, 'measurement');
    const decoded = parsed.records.map((r) => (r as { value: unknown }).value);
    assert.deepEqual(decoded, [512, -3.5, null, true, false, NaN, 'inf', 'on', 'quoted', 1000]);
  });

  test('NotImplemented in a value becomes the match-anything marker, as in Python', () => {
    const line =
      '{"board":"A","timestamp":"1","message":"measurement","data":[{"value":"NotImplemented"}]}';
    const parsed = parseBoardLine(line);
    assert.ok(parsed.kind === 'measurement');
    assert.equal((parsed.records[0] as { value: unknown }).value, MATCH_ANY);
  });

  test('records without a value, and items that are not records, pass unchanged', () => {
    const line =
      '{"board":"A","timestamp":"1","message":"measurement","data":[{"id":"x"},"text",7,null]}';
    const parsed = parseBoardLine(line);
    assert.ok(parsed.kind === 'measurement');
    assert.deepEqual(parsed.records, [{ id: 'x' }, 'text', 7, null]);
  });

  test('numbers already sent as numbers stay numbers', () => {
    const parsed = parseBoardLine(
      '{"board":"A","timestamp":1,"message":"measurement","data":[{"value":2.5}]}',
    );
    assert.ok(parsed.kind === 'measurement');
    assert.deepEqual(parsed.records, [{ value: 2.5 }]);
  });

  test('the input records are not mutated', () => {
    const parsed = parseBoardLine(
      '{"board":"A","timestamp":"1","message":"measurement","data":[{"value":"1"}]}',
    );
    assert.ok(parsed.kind === 'measurement');
    assert.deepEqual(parsed.records, [{ value: 1 }]);
  });

  test('keep-alives and other kinds are "other"', () => {
    assert.deepEqual(parseBoardLine('{"board":"A","timestamp":"99","message":"keepalive"}'), {
      kind: 'other',
      header: { board: 'A', timestamp: '99', message: 'keepalive' },
    });
    assert.equal(
      parseBoardLine('{"board":"A","timestamp":"99","message":"config","data":[]}').kind,
      'other',
    );
  });

  test('blank lines are "empty"', () => {
    assert.deepEqual(parseBoardLine(''), { kind: 'empty' });
    assert.deepEqual(parseBoardLine('  \t'), { kind: 'empty' });
  });

  const invalid: [string, string, string][] = [
    ['not JSON', '{"board":"A","timestamp"', 'not JSON'],
    ['boot noise', '\u0000\u00ffgarbage', 'not JSON'],
    ['a JSON list', '[1, 2]', 'not an object'],
    ['no board', '{"timestamp":"1","message":"measurement","data":[]}', 'not an object'],
    ['empty board', '{"board":"","timestamp":"1","message":"keepalive"}', 'not an object'],
    ['zero timestamp', '{"board":"A","timestamp":0,"message":"keepalive"}', 'not an object'],
    ['measurement without data', '{"board":"A","timestamp":"1","message":"measurement"}', 'data'],
    [
      'measurement with an object as data',
      '{"board":"A","timestamp":"1","message":"measurement","data":{"value":"1"}}',
      'data',
    ],
  ];
  for (const [name, line, reason] of invalid) {
    test(`invalid: ${name}`, () => {
      const parsed = parseBoardLine(line);
      assert.equal(parsed.kind, 'invalid');
      assert.ok(parsed.reason.includes(reason), JSON.stringify(parsed));
    });
  }
});

describe('boardHeader', () => {
  test('needs board, timestamp and message, all truthy', () => {
    assert.deepEqual(boardHeader({ board: 'A', timestamp: '5', message: 'keepalive', x: 1 }), {
      board: 'A',
      timestamp: '5',
      message: 'keepalive',
    });
    assert.equal(boardHeader({ board: 'A', timestamp: '5' }), undefined);
    assert.equal(boardHeader({ board: 'A', timestamp: [], message: 'm' }), undefined);
    assert.equal(boardHeader('A'), undefined);
    assert.equal(boardHeader(null), undefined);
  });

  test('a numeric board id is compared as text', () => {
    assert.equal(boardHeader({ board: 7, timestamp: '5', message: 'm' })?.board, '7');
  });
});
