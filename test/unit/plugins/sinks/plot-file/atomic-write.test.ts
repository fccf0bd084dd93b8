import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { replaceFile } from '../../../../../src/plugins/sinks/plot-file/atomic-write.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replaceFile', () => {
  test('writes a new file and replaces an old one whole, leaving no temporary file', async () => {
    const target = join(dir, 'plot.svg');
    await replaceFile(target, Buffer.from('first'));
    assert.equal(await readFile(target, 'utf8'), 'first');
    await replaceFile(target, Buffer.from('second, longer'));
    assert.equal(await readFile(target, 'utf8'), 'second, longer');
    assert.deepEqual(await readdir(dir), ['plot.svg']);
  });

  test('a missing directory rejects with ENOENT and creates nothing', async () => {
    await assert.rejects(replaceFile(join(dir, 'gone', 'plot.svg'), Buffer.from('x')), {
      code: 'ENOENT',
    });
  });

  test('when the rename fails the target stays as it was and the temporary file is removed', async () => {
    // A directory where the file should go: the data is written, then the rename fails.
    const target = join(dir, 'in-the-way');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'old');
    await assert.rejects(replaceFile(target, Buffer.from('new')), { code: 'EISDIR' });
    assert.ok((await stat(target)).isDirectory());
    assert.equal(await readFile(join(target, 'inside'), 'utf8'), 'old');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
  });
});
