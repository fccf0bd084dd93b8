import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DatalogdError } from '../../../src/core/errors.js';
import {
  atNodeLine,
  locateInFile,
  locateProblem,
  type GraphOrigin,
} from '../../../src/runtime/graph-location.js';

const inFile: GraphOrigin = { file: 'lab.conf', lines: [4, 6, 7] };
/** The first graph line follows `connection_graph = ` (19 characters), the others are indented. */
const withColumns: GraphOrigin = { file: 'lab.conf', lines: [4, 6, 7], columns: [19, 4, 6] };
const onCommandLine: GraphOrigin = { file: undefined, lines: [] };

describe('locateInFile', () => {
  const cases: [string, GraphOrigin, string][] = [
    ['line 2: node "a": bad', inFile, 'lab.conf:6: node "a": bad'],
    ['line 3, column 9: syntax', withColumns, 'lab.conf:7:15: syntax'],
    ['line 1, column 1: syntax', withColumns, 'lab.conf:4:20: syntax'],
    ['line 3, column 9: syntax', inFile, 'lab.conf:7: syntax'],
    [
      'line 3: node "a" is declared again (first at line 2); merged',
      inFile,
      'lab.conf:7: node "a" is declared again (first at lab.conf:6); merged',
    ],
    ['line 3, column 9: syntax', onCommandLine, 'line 3, column 9: syntax'],
    ['the edges form a cycle', inFile, 'lab.conf: the edges form a cycle'],
    ['line 9: beyond the known lines', inFile, 'lab.conf: line 9: beyond the known lines'],
    ['line 2: node "a": bad', onCommandLine, 'line 2: node "a": bad'],
    ['mentions line 2: later', inFile, 'lab.conf: mentions line 2: later'],
  ];
  for (const [message, origin, expected] of cases) {
    test(`${JSON.stringify(message)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(locateInFile(message, origin), expected);
    });
  }
});

describe('locateProblem and atNodeLine', () => {
  test('keep the code, node, option and cause', () => {
    const cause = new Error('root');
    const problem = new DatalogdError('DATALOGD_ERR_OPTION_TYPE', 'line 1: node "a": bad', {
      node: 'a',
      option: 'port',
      cause,
    });
    const located = locateProblem(problem, inFile);
    assert.equal(located.message, 'lab.conf:4: node "a": bad');
    assert.deepEqual(
      [located.code, located.node, located.option, located.cause],
      ['DATALOGD_ERR_OPTION_TYPE', 'a', 'port', cause],
    );
  });

  test('a node problem without a line gets its node line, then the file line', () => {
    const problem = new DatalogdError('DATALOGD_ERR_RULES', 'node "b": cannot read rules.json', {
      node: 'b',
    });
    const lines = new Map([['b', 3]]);
    assert.equal(
      locateProblem(atNodeLine(problem, lines), inFile).message,
      'lab.conf:7: node "b": cannot read rules.json',
    );
    const placed = new DatalogdError('DATALOGD_ERR_RULES', 'line 1: node "b": x', { node: 'b' });
    assert.equal(atNodeLine(placed, lines), placed, 'a problem with a line keeps it');
    const unknown = new DatalogdError('DATALOGD_ERR_RULES', 'node "z": x', { node: 'z' });
    assert.equal(atNodeLine(unknown, lines), unknown);
  });

  test('name the file, line and column as fields, for tools that read problems', () => {
    const place = (message: string, origin: GraphOrigin): unknown[] => {
      const p = locateProblem(new DatalogdError('DATALOGD_ERR_GRAPH_SYNTAX', message), origin);
      return [p.file, p.line, p.column];
    };
    assert.deepEqual(place('line 3, column 9: syntax', inFile), ['lab.conf', 7, 9]);
    assert.deepEqual(place('line 2: node "a": bad', inFile), ['lab.conf', 6, undefined]);
    assert.deepEqual(place('the edges form a cycle', inFile), ['lab.conf', undefined, undefined]);
    assert.deepEqual(place('line 9: beyond', inFile), ['lab.conf', undefined, undefined]);
    // A -g graph has no file: the place is in the DOT text itself.
    assert.deepEqual(place('line 2, column 4: x', onCommandLine), [undefined, 2, 4]);
    assert.deepEqual(place('no place', onCommandLine), [undefined, undefined, undefined]);
  });
});
