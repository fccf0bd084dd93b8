import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DatalogdError } from '../../../src/core/errors.js';
import {
  DEFAULT_IMPORT_TIMEOUT_SECONDS,
  importTimeoutMs,
  settledWithin,
} from '../../../src/runtime/import-timeout.js';

describe('importTimeoutMs', () => {
  test('10 s unless DATALOGD_PLUGIN_IMPORT_TIMEOUT says otherwise, in seconds', () => {
    assert.equal(DEFAULT_IMPORT_TIMEOUT_SECONDS, 10);
    assert.equal(importTimeoutMs({}), 10_000);
    assert.equal(importTimeoutMs({ DATALOGD_PLUGIN_IMPORT_TIMEOUT: '' }), 10_000);
    assert.equal(importTimeoutMs({ DATALOGD_PLUGIN_IMPORT_TIMEOUT: '60' }), 60_000);
    assert.equal(importTimeoutMs({ DATALOGD_PLUGIN_IMPORT_TIMEOUT: '0.5' }), 500);
  });

  for (const text of ['0', '-1', 'ten', 'NaN', 'Infinity', '1e7']) {
    test(`${JSON.stringify(text)} is refused, naming the variable`, () => {
      const result = importTimeoutMs({ DATALOGD_PLUGIN_IMPORT_TIMEOUT: text });
      assert.ok(result instanceof DatalogdError);
      assert.equal(result.code, 'DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT');
      assert.match(
        result.message,
        /^DATALOGD_PLUGIN_IMPORT_TIMEOUT=".*" is not a number of seconds/,
      );
    });
  }
});

describe('settledWithin', () => {
  test('gives the value of a promise that settles in time, and rejects as it rejects', async () => {
    assert.equal(await settledWithin(Promise.resolve(5), 1000), 5);
    await assert.rejects(settledWithin(Promise.reject(new Error('boom')), 1000), /boom/);
  });

  test('gives undefined for a promise that never settles, once the time is up', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let outcome: string | undefined;
    void settledWithin(new Promise<string>(() => undefined), 2000).then((value) => {
      outcome = value ?? 'timed out';
    });
    t.mock.timers.tick(1999);
    await Promise.resolve();
    assert.equal(outcome, undefined);
    t.mock.timers.tick(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcome, 'timed out');
  });
});
