// A test whose peer program is not installed fails with the package to install, never with
// a bare `spawn socat ENOENT`; and the README's test command reports what it would install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/daemon.js';
import { InfluxdServer } from '../helpers/influxd.js';
import { Peer, pyPeer, socatRead, socatSend } from '../helpers/peers.js';
import { FakeBoard, PtyPair } from '../helpers/serial-pty.js';
import { VictoriaServer } from '../helpers/victoria.js';

const TEST_ALL = join(REPO_ROOT, 'scripts', 'test-all.mjs');
const message = (command: string, pkg: string): { message: string } => ({
  message: `${command} is not installed: apt-get install ${pkg}, or run npm run test:all`,
});

let dir: string;
let saved: { PATH: string | undefined; TMPDIR: string | undefined };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-missing-'));
  await mkdir(join(dir, 'empty-bin'));
  await mkdir(join(dir, 'tmp'));
  saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
});
afterEach(async () => {
  process.env.PATH = saved.PATH;
  process.env.TMPDIR = saved.TMPDIR;
  await rm(dir, { recursive: true, force: true });
});

/** Runs `body` with a PATH that holds no program at all and a temporary directory of its own. */
async function withoutPrograms(body: () => Promise<void>): Promise<void> {
  process.env.PATH = join(dir, 'empty-bin');
  process.env.TMPDIR = join(dir, 'tmp');
  try {
    await body();
  } finally {
    process.env.PATH = saved.PATH;
    process.env.TMPDIR = saved.TMPDIR;
  }
}

describe('test helpers with a peer missing', () => {
  test('socat and python peers name their package', async () => {
    await withoutPrograms(async () => {
      assert.throws(() => socatSend(1, Buffer.from('x')), message('socat', 'socat'));
      assert.throws(() => socatRead(1), message('socat', 'socat'));
      assert.throws(() => pyPeer(['serve']), message('python3', 'python3'));
      assert.throws(() => new Peer('socat', ['-V']), message('socat', 'socat'));
      await Promise.resolve();
    });
  });

  test('the serial pty pair and the fake board name their package', async () => {
    await withoutPrograms(async () => {
      await assert.rejects(PtyPair.start(dir), message('socat', 'socat'));
      assert.throws(
        () => new FakeBoard({ port: join(dir, 'board') }),
        message('python3', 'python3'),
      );
    });
  });

  test('influxd and VictoriaMetrics name their package and leave no directory behind', async () => {
    await withoutPrograms(async () => {
      await assert.rejects(InfluxdServer.start(), message('influxd', 'influxdb'));
      await assert.rejects(VictoriaServer.start(), message('victoria-metrics', 'victoria-metrics'));
      assert.deepEqual(await readdir(join(dir, 'tmp')), []);
    });
  });
});

describe('npm run test:all --check', () => {
  test('with programs hidden, lists them with their packages and the command that installs them', async () => {
    // A stand-in apt-get, so that the message is the one for a Debian machine; --check never
    // runs it.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'apt-get'), '#!/bin/sh\nexit 1\n');
    await chmod(join(bin, 'apt-get'), 0o755);
    const result = spawnSync(process.execPath, [TEST_ALL, '--check'], {
      env: { PATH: bin },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /programs the tests need are missing:/);
    assert.match(result.stderr, /^ {2}socat +Debian package socat: /m);
    assert.match(result.stderr, /^ {2}influxd +Debian package influxdb: /m);
    assert.match(
      result.stderr,
      /apt-get update && apt-get install -y --no-install-recommends [^\n]*\bsocat\b[^\n]*\binfluxdb\b/,
    );
    // It stops there: no npm ci, no tests.
    assert.doesNotMatch(result.stdout + result.stderr, /npm ci|could not start/);
  });

  test('with no apt-get, says which Debian packages to find instead', () => {
    const result = spawnSync(process.execPath, [TEST_ALL, '--check'], {
      env: { PATH: join(dir, 'empty-bin') },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /Install those packages \(Debian names above\), then run npm run test:all\./,
    );
  });

  test('on this machine every program is installed (as the rest of the suite needs)', () => {
    const result = spawnSync(process.execPath, [TEST_ALL, '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /every program the tests need is installed/);
  });
});
