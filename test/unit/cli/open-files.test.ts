import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationErrors, DatalogdError } from '../../../src/core/errors.js';
import { openFilesProblem } from '../../../src/cli/open-files.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: too many open files, open '/x.js'`), { code });
}

describe('openFilesProblem', () => {
  const wrapped: [string, unknown][] = [
    ['the error itself', errno('EMFILE')],
    ['a cause', new Error('loading failed', { cause: errno('EMFILE') })],
    [
      'one of several configuration problems',
      new ConfigurationErrors([
        new DatalogdError('DATALOGD_ERR_UNKNOWN_OPTION', 'line 1: x'),
        new DatalogdError('DATALOGD_ERR_PLUGIN_LOAD', 'plugin file p.mjs failed to load', {
          cause: errno('EMFILE'),
        }),
      ]),
    ],
    ['one of an AggregateError', new AggregateError([new Error('a'), errno('EMFILE')])],
  ];
  for (const [name, err] of wrapped) {
    test(`finds EMFILE in ${name}`, () => {
      const problem = openFilesProblem(err);
      assert.equal(problem?.code, 'DATALOGD_ERR_OPEN_FILES_LIMIT');
      assert.match(problem.message, /^too many open files \(EMFILE\): the open-file limit is /);
      assert.match(problem.message, /ulimit -n 4096 .*LimitNOFILE=4096/);
      assert.ok(!problem.message.includes('\n'), 'one line');
    });
  }

  test('says when the whole system is out of files (ENFILE)', () => {
    assert.match(
      openFilesProblem(errno('ENFILE'))?.message ?? '',
      /^the system has too many open files/,
    );
  });

  test('leaves every other failure alone', () => {
    for (const err of [errno('ENOENT'), new Error('x'), 'text', undefined, null]) {
      assert.equal(openFilesProblem(err), undefined);
    }
  });
});
