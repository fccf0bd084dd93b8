// The programs the tests start (and the native npm builds need), each with the Debian
// package that installs it: the one list that scripts/test-all.mjs installs from and that
// the test helpers check before they spawn anything. A feature whose tests need a new
// program adds one line here.
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * `dirs` are looked in after PATH: where Debian puts a program outside the usual PATH
 * (PostgreSQL's server tools; /usr/sbin, which a non-root PATH often lacks). A `*` stands
 * for any one directory name.
 */
export const TEST_PEERS = [
  { command: 'socat', pkg: 'socat', why: 'socket and serial (pty) peers' },
  { command: 'python3', pkg: 'python3', why: 'Python peers and native npm builds' },
  { command: 'influxd', pkg: 'influxdb', why: 'the InfluxDB 1.x sink tests' },
  { command: 'victoria-metrics', pkg: 'victoria-metrics', why: 'the InfluxDB 2.x sink tests' },
  { command: 'chromium', pkg: 'chromium', why: 'the browser plot tests' },
  {
    command: 'initdb',
    pkg: 'postgresql',
    why: 'the PostgreSQL sink tests',
    dirs: ['/usr/lib/postgresql/*/bin'],
  },
  { command: 'mosquitto', pkg: 'mosquitto', why: 'the MQTT tests', dirs: ['/usr/sbin'] },
  { command: 'sqlite3', pkg: 'sqlite3', why: 'reading SQLite files independently' },
  { command: 'make', pkg: 'make', why: 'native npm builds' },
  { command: 'g++', pkg: 'g++', why: 'native npm builds' },
];

/** The one test command, named in every message that says how to get a missing peer. */
export const TEST_ALL_COMMAND = 'npm run test:all';

/**
 * The absolute path of `command`, looked for on `path` (PATH's format), then in the peer's
 * own `dirs`; undefined when it is nowhere.
 */
export function findPeer(command, path = process.env.PATH ?? '', extraDirs = dirsOf(command)) {
  const dirs = [...path.split(delimiter).filter((d) => d !== ''), ...extraDirs.flatMap(expand)];
  for (const dir of dirs) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** The peers of `TEST_PEERS` that `findPeer` cannot find. */
export function missingPeers(path = process.env.PATH ?? '', peers = TEST_PEERS) {
  return peers.filter((peer) => findPeer(peer.command, path, peer.dirs ?? []) === undefined);
}

/** Like `findPeer`, but a missing program is an error that says which package to install. */
export function requirePeer(command, path = process.env.PATH ?? '') {
  const found = findPeer(command, path);
  if (found !== undefined) return found;
  const pkg = TEST_PEERS.find((peer) => peer.command === command)?.pkg;
  if (pkg === undefined) {
    throw new Error(`${command} is not installed, and scripts/test-peers.mjs does not list it`);
  }
  throw new Error(
    `${command} is not installed: apt-get install ${pkg}, or run ${TEST_ALL_COMMAND}`,
  );
}

/** The command that installs `packages` on Debian, as a user would type it. */
export function aptCommand(packages) {
  return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function dirsOf(command) {
  return TEST_PEERS.find((peer) => peer.command === command)?.dirs ?? [];
}

/** `/usr/lib/postgresql/*\/bin` -> every existing match, newest version first; plain paths as they are. */
function expand(pattern) {
  const parts = pattern.split('/');
  let found = [parts[0] === '' ? '/' : parts[0]];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    found = found.flatMap((base) => {
      if (part !== '*') return [join(base, part)];
      try {
        return readdirSync(base, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(base, entry.name))
          .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
      } catch {
        return [];
      }
    });
  }
  return found;
}
