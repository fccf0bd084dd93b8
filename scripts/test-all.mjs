#!/usr/bin/env node
// `npm run test:all`, which .ci/run calls: on a fresh Debian machine with Node 20, installs
// the programs the tests start (scripts/test-peers.mjs lists them) and the npm dependencies,
// then runs `npm test`. As root it installs missing peers with apt-get; otherwise it stops
// before testing and prints the command that would install them.
//
//   node scripts/test-all.mjs           install what is missing, npm ci, npm test
//   node scripts/test-all.mjs --check   only report missing peers (exit 1 if any)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aptCommand, findPeer, missingPeers, TEST_ALL_COMMAND } from './test-peers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// invoke-rc.d asks this file before a package's postinst starts its service; exit 101 means
// "not allowed". The tests start their own servers on loopback, so nothing should run.
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

const checkOnly = process.argv.includes('--check');

let missing = missingPeers();
if (missing.length > 0) {
  const canInstall = !checkOnly && process.getuid?.() === 0 && findPeer('apt-get') !== undefined;
  if (!canInstall) {
    refuse(missing, checkOnly ? 'missing' : whyNotInstalling());
    process.exit(1);
  }
  installWithApt(missing.map((peer) => peer.pkg));
  missing = missingPeers();
  if (missing.length > 0) {
    refuse(missing, 'still missing after apt-get install');
    process.exit(1);
  }
}
if (checkOnly) {
  console.log('test-all: every program the tests need is installed');
  process.exit(0);
}

run('npm', ['ci', '--no-audit', '--no-fund']);
run('npm', ['test']);

function installWithApt(packages) {
  const unique = [...new Set(packages)];
  console.log(`test-all: installing ${unique.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], env);
  const madePolicy = !existsSync(POLICY_RC_D);
  if (madePolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...unique], env);
  } finally {
    if (madePolicy) rmSync(POLICY_RC_D, { force: true });
  }
}

function whyNotInstalling() {
  if (findPeer('apt-get') === undefined) return 'missing, and this machine has no apt-get';
  return 'missing, and only root can install them';
}

function refuse(peers, reason) {
  const packages = [...new Set(peers.map((peer) => peer.pkg))];
  const width = Math.max(...peers.map((peer) => peer.command.length));
  console.error(`test-all: programs the tests need are ${reason}:`);
  for (const peer of peers) {
    console.error(`  ${peer.command.padEnd(width)}  Debian package ${peer.pkg}: ${peer.why}`);
  }
  const install = aptCommand(packages);
  if (findPeer('apt-get') === undefined) {
    console.error(`Install those packages (Debian names above), then run ${TEST_ALL_COMMAND}.`);
  } else if (process.getuid?.() !== 0 && findPeer('sudo') !== undefined) {
    console.error(`Install them, then run ${TEST_ALL_COMMAND} again:\n  sudo sh -c '${install}'`);
  } else {
    console.error(`Install them as root, then run ${TEST_ALL_COMMAND} again:\n  ${install}`);
  }
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error !== undefined) {
    console.error(`test-all: ${command} could not start: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    if (command !== 'npm' || args[0] !== 'test') {
      console.error(
        `test-all: ${command} ${args.join(' ')} failed (${result.status ?? result.signal})`,
      );
    }
    process.exit(result.status ?? 1);
  }
}
