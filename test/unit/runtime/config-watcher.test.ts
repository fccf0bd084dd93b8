import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchConfigFiles } from '../../../src/runtime/config-watcher.js';
import { waitUntil } from '../../helpers/wait.js';

test('a burst of changes to a watched file (an editor writing a temporary file and renaming it) calls back once; other files in the directory do not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'datalogd-watch-'));
  const file = join(dir, 'datalogd.conf');
  await writeFile(file, 'a');
  const calls: string[] = [];
  const stop = watchConfigFiles(
    [file, join(dir, 'missing', 'other.conf')],
    (changed) => calls.push(changed),
    100,
  );
  try {
    await writeFile(join(dir, 'unrelated.txt'), 'x');
    await writeFile(`${file}.tmp`, 'b');
    await rename(`${file}.tmp`, file);
    await writeFile(file, 'c');
    await waitUntil(() => calls.length > 0, 'the callback', { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(calls, [file]);
  } finally {
    stop();
    await rm(dir, { recursive: true, force: true });
  }
});
