import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  aptCommand,
  findPeer,
  missingPeers,
  requirePeer,
  TEST_PEERS,
} from '../../../scripts/test-peers.mjs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-peers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function program(path: string, mode = 0o755): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, mode);
}

describe('TEST_PEERS', () => {
  test('names each program once, with its Debian package and a reason', () => {
    const commands = TEST_PEERS.map((peer) => peer.command);
    assert.equal(new Set(commands).size, commands.length);
    for (const peer of TEST_PEERS) {
      assert.match(peer.pkg, /^[a-z0-9][a-z0-9+.-]+$/, peer.command);
      assert.ok(peer.why.length > 0, peer.command);
    }
  });

  test('lists the servers and peers the tests start and what native builds need', () => {
    const byCommand = new Map(TEST_PEERS.map((peer) => [peer.command, peer.pkg]));
    const expected: [string, string][] = [
      ['socat', 'socat'],
      ['python3', 'python3'],
      ['influxd', 'influxdb'],
      ['victoria-metrics', 'victoria-metrics'],
      ['chromium', 'chromium'],
      ['initdb', 'postgresql'],
      ['mosquitto', 'mosquitto'],
      ['sqlite3', 'sqlite3'],
      ['make', 'make'],
      ['g++', 'g++'],
    ];
    for (const [command, pkg] of expected) {
      assert.equal(byCommand.get(command), pkg, command);
    }
  });
});

describe('findPeer', () => {
  test('finds an executable on PATH, in PATH order, and not a file that cannot run', async () => {
    await program(join(dir, 'a', 'tool'), 0o644);
    await program(join(dir, 'b', 'tool'));
    await program(join(dir, 'c', 'tool'));
    const path = [join(dir, 'a'), join(dir, 'b'), join(dir, 'c')].join(':');
    assert.equal(findPeer('tool', path, []), join(dir, 'b', 'tool'));
    assert.equal(findPeer('other', path, []), undefined);
  });

  test('looks in the extra directories after PATH; `*` stands for a version, newest first', async () => {
    await program(join(dir, 'pg', '9.6', 'bin', 'initdb'));
    await program(join(dir, 'pg', '15', 'bin', 'initdb'));
    await mkdir(join(dir, 'pg', '16', 'bin'), { recursive: true });
    assert.equal(
      findPeer('initdb', join(dir, 'empty'), [join(dir, 'pg', '*', 'bin')]),
      join(dir, 'pg', '15', 'bin', 'initdb'),
    );
    assert.equal(findPeer('initdb', '', [join(dir, 'nowhere', '*', 'bin')]), undefined);
  });
});

describe('requirePeer and missingPeers', () => {
  test('a missing program is an error that names its package and the test command', () => {
    assert.throws(
      () => requirePeer('socat', join(dir, 'empty')),
      (err: Error) =>
        err.message === 'socat is not installed: apt-get install socat, or run npm run test:all',
    );
    assert.throws(() => requirePeer('influxd', join(dir, 'empty')), /apt-get install influxdb,/);
  });

  test('a program the list does not name says so instead of guessing a package', () => {
    assert.throws(
      () => requirePeer('no-such-peer', ''),
      /scripts\/test-peers\.mjs does not list it/,
    );
  });

  test('missingPeers lists what PATH and the extra directories lack', async () => {
    await program(join(dir, 'bin', 'socat'));
    const missing = missingPeers(join(dir, 'bin'), [
      { command: 'socat', pkg: 'socat', why: 'x' },
      { command: 'influxd', pkg: 'influxdb', why: 'y' },
    ]);
    assert.deepEqual(
      missing.map((peer) => peer.pkg),
      ['influxdb'],
    );
  });

  test('aptCommand is the command a root user runs', () => {
    assert.equal(
      aptCommand(['socat', 'influxdb']),
      'apt-get update && apt-get install -y --no-install-recommends socat influxdb',
    );
  });
});
