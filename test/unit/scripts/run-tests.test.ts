import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { REPO_ROOT } from '../../helpers/daemon.js';

const RUN_TESTS = join(REPO_ROOT, 'scripts', 'run-tests.mjs');
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'run-tests', 'temp-file.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-run-tests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runFixture(leaveBehind: boolean): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  // Without NODE_TEST_CONTEXT, which would make the inner runner skip its files as nested.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: dir,
    LEAVE_BEHIND: leaveBehind ? '1' : '0',
  };
  delete env.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, [RUN_TESTS, FIXTURE], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/run-tests.mjs', () => {
  test('a run whose tests clean up passes and removes its temporary directory', async () => {
    const { status, stdout, stderr } = runFixture(false);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /✔ uses the temporary directory/);
    assert.deepEqual(await readdir(dir), []);
  });

  test('what a test leaves in the temporary directory is listed and fails the run', async () => {
    const { status, stdout, stderr } = runFixture(true);
    assert.equal(status, 1, stderr);
    assert.match(stdout, /✔ uses the temporary directory/);
    assert.match(stderr, /The tests left 1 entries in the temporary directory/);
    assert.match(stderr, /^ {2}left-behind\.txt$/m);
    assert.deepEqual(await readdir(dir), [], 'the run removes its directory all the same');
  });
});
