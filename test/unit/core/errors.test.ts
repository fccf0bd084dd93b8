import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DatalogdError, ERROR_CODES, RUNTIME_EVENTS } from '../../../src/core/errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^## `(DATALOGD_ERR_[A-Z_]+)`$/gm)].map((m) => m[1]);

test('every error code and runtime event is explained in docs/errors.md, and nothing else is', () => {
  const codes = [...Object.keys(ERROR_CODES), ...Object.keys(RUNTIME_EVENTS)];
  assert.deepEqual([...documented].sort(), codes.sort());
});

test('runtime events are documented under "Runtime events", with the counter they add to', () => {
  const runtime = docs.slice(docs.indexOf('\n# Runtime events'));
  assert.ok(runtime.length > 20, 'docs/errors.md has a "# Runtime events" part');
  for (const [code, spec] of Object.entries(RUNTIME_EVENTS)) {
    const section = runtime.split(`## \`${code}\``)[1]?.split('\n## ')[0] ?? '';
    assert.ok(section !== '', `${code} is documented under Runtime events`);
    assert.match(section, new RegExp(`\`${spec.counter}\``), `${code} names its counter`);
  }
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
