import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDotJson } from '../../../../../src/python/values.js';
import { validateOptions } from '../../../../../src/core/options.js';
import { serialOptionsSchema } from '../../../../../src/plugins/sources/serial/options.js';

/** Options as the graph gives them: DOT attribute texts decoded like Python datalogd. */
function fromDot(attributes: Record<string, string>) {
  const decoded = Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, parseDotJson(v)]),
  );
  return validateOptions('ard', 'SerialDataSource', serialOptionsSchema, decoded);
}

describe('SerialDataSource options', () => {
  test('defaults: any port, any board, 2 s probe, retries from 0.5 s up to 5 s', () => {
    assert.deepEqual(serialOptionsSchema.parse({}), {
      port: null,
      board_id: null,
      vid: null,
      pid: null,
      serial_number: null,
      location: null,
      probe_timeout: 2,
      reconnect_min: 0.5,
      reconnect_max: 5,
    });
  });

  test('USB ids: 0x hex text, bare hex text, or decimal numbers', () => {
    const { options, problems } = fromDot({ vid: '0x2341', pid: '67' });
    assert.deepEqual(problems, []);
    assert.equal(options.vid, 0x2341);
    assert.equal(options.pid, 67);
    assert.equal(serialOptionsSchema.parse({ vid: '2341' }).vid, 0x2341);
  });

  test('board ids and serial numbers written as digits are compared as text', () => {
    const { options } = fromDot({ board_id: '7', serial_number: "'0123'" });
    assert.equal(options.board_id, '7');
    assert.equal(options.serial_number, '0123');
  });

  test('port: a path or a pattern, numbers as text', () => {
    assert.equal(fromDot({ port: '/dev/ttyACM0' }).options.port, '/dev/ttyACM0');
    assert.equal(fromDot({ port: 'ACM' }).options.port, 'ACM');
    assert.equal(serialOptionsSchema.parse({ port: 3 }).port, '3');
  });

  const bad: [string, Record<string, string>, string][] = [
    ['a port pattern that does not compile', { port: '(ACM' }, 'port'],
    ['a serial number pattern that does not compile', { serial_number: "'['" }, 'serial_number'],
    ['a vid that is not an id', { vid: 'arduino' }, 'vid'],
    ['a vid too large', { vid: '70000' }, 'vid'],
    ['a negative probe timeout', { probe_timeout: '-1' }, 'probe_timeout'],
    ['a zero reconnect_min, which would never back off', { reconnect_min: '0' }, 'reconnect_min'],
    [
      'reconnect_min above reconnect_max',
      { reconnect_min: '10', reconnect_max: '5' },
      'reconnect_min',
    ],
  ];
  for (const [name, attributes, option] of bad) {
    test(`a configuration error names the option: ${name}`, () => {
      const { problems } = fromDot(attributes);
      assert.equal(problems.length, 1, JSON.stringify(problems.map((p) => p.message)));
      assert.equal(problems[0]?.code, 'DATALOGD_ERR_OPTION_TYPE');
      assert.equal(problems[0].option, option);
      assert.equal(problems[0].node, 'ard');
    });
  }

  test('an unknown option is refused with a suggestion', () => {
    const { problems } = fromDot({ baord_id: 'A' });
    assert.equal(problems[0]?.code, 'DATALOGD_ERR_UNKNOWN_OPTION');
    assert.match(problems[0].message, /did you mean "board_id"/);
  });
});
