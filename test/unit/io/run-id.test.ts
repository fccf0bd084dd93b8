import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultRunId } from '../../../src/io/run-id.js';

test('defaultRunId is the local time as YYYYMMDD-HHMMSS', () => {
  assert.equal(defaultRunId(new Date(2024, 1, 3, 4, 5, 6)), '20240203-040506');
  assert.equal(defaultRunId(new Date(2024, 11, 31, 23, 59, 59)), '20241231-235959');
});
