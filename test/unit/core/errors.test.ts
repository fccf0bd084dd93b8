import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DatalogdError, ERROR_CODES } from '../../../src/core/errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^## `(DATALOGD_ERR_[A-Z_]+)`$/gm)].map((m) => m[1]);

test('every error code is explained in docs/errors.md, and nothing else is', () => {
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test('every documented code has an explanation and a remedy', () => {
  const sections = docs.split(/^## /m).slice(1);
  for (const section of sections) {
    const [heading = '', ...body] = section.split('\n');
    const text = body.join('\n');
    assert.ok(text.trim().length > 40, `${heading} needs an explanation`);
    assert.match(text, /\*\*What to do/, `${heading} needs a "What to do" paragraph`);
  }
});

test('DatalogdError keeps its code, node, option and cause', () => {
  const cause = new Error('root');
  const err = new DatalogdError('DATALOGD_ERR_OPTION_TYPE', 'bad', {
    node: 'n',
    option: 'o',
    cause,
  });
  assert.equal(err.code, 'DATALOGD_ERR_OPTION_TYPE');
  assert.equal(err.node, 'n');
  assert.equal(err.option, 'o');
  assert.equal(err.cause, cause);
  assert.ok(err instanceof Error);
});
