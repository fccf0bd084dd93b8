import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TEST_ALL_COMMAND } from '../../../scripts/test-peers.mjs';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

test("the README's test command is what .ci/run runs, and it runs scripts/test-all.mjs", () => {
  const block = /```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
  const second = block.split('\n')[1] ?? '';
  assert.ok(second.startsWith(`${TEST_ALL_COMMAND} `), second);
  assert.ok(read('.ci/run').split('\n').includes(second), '.ci/run has the line as it is');
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts['test:all'], 'node scripts/test-all.mjs');
  assert.equal(TEST_ALL_COMMAND, 'npm run test:all');
});
