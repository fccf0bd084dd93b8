import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';
import { waitUntil } from '../helpers/wait.js';

const UNIT_FILE = join(REPO_ROOT, 'examples', 'systemd', 'datalogd.service');
const EXAMPLE_CONFIG = join(REPO_ROOT, 'examples', 'systemd', 'datalogd.conf');

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

type Unit = Map<string, Map<string, string[]>>;

/** systemd's unit file syntax: sections, `Key=Value` lines, `#` and `;` comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    assert.ok(!line.endsWith('\\'), `line ${index + 1}: no continuation lines are used`);
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1] ?? '', section);
      return;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(
      pair !== null && section !== undefined,
      `line ${index + 1} is Key=Value in a section: ${raw}`,
    );
    const [, key = '', value = ''] = pair;
    section.set(key, [...(section.get(key) ?? []), value]);
  });
  return unit;
}

/**
 * The directives of systemd.unit(5), systemd.service(5), systemd.exec(5), systemd.kill(5)
 * and systemd.resource-control(5) this unit may use; a misspelt key is not one of them
 * (systemd would ignore it with a warning, and the hardening it meant would be missing).
 */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  Unit: [
    'Description',
    'Documentation',
    'Wants',
    'Requires',
    'After',
    'Before',
    'StartLimitIntervalSec',
    'StartLimitBurst',
  ],
  Service: [
    'Type',
    'ExecStart',
    'ExecReload',
    'Restart',
    'RestartSec',
    'KillMode',
    'KillSignal',
    'TimeoutStopSec',
    'User',
    'Group',
    'SupplementaryGroups',
    'StateDirectory',
    'StateDirectoryMode',
    'WorkingDirectory',
    'UMask',
    'StandardOutput',
    'StandardError',
    'SyslogIdentifier',
    'NoNewPrivileges',
    'ProtectSystem',
    'ReadWritePaths',
    'ProtectHome',
    'PrivateTmp',
    'PrivateMounts',
    'RemoveIPC',
    'PrivateDevices',
    'DevicePolicy',
    'DeviceAllow',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectKernelLogs',
    'ProtectControlGroups',
    'ProtectClock',
    'ProtectHostname',
    'ProtectProc',
    'RestrictAddressFamilies',
    'RestrictNamespaces',
    'RestrictRealtime',
    'RestrictSUIDSGID',
    'LockPersonality',
    'MemoryDenyWriteExecute',
    'CapabilityBoundingSet',
    'AmbientCapabilities',
    'SystemCallArchitectures',
    'SystemCallFilter',
    'SystemCallErrorNumber',
  ],
  Install: ['WantedBy'],
};
/** Keys systemd lets a unit give more than once, each line adding to the list. */
const REPEATABLE = new Set(['DeviceAllow', 'SystemCallFilter', 'ReadWritePaths']);

function one(unit: Unit, section: string, key: string): string {
  const values = unit.get(section)?.get(key) ?? [];
  assert.equal(values.length, 1, `[${section}] ${key} once: ${JSON.stringify(values)}`);
  return values[0] ?? '';
}

/** The daemon's default shutdown deadline in ms, read from its source so that the two stay in step. */
async function shutdownDeadlineMs(): Promise<number> {
  const text = await readFile(join(REPO_ROOT, 'src', 'runtime', 'shutdown.ts'), 'utf8');
  const match = /DEFAULT_SHUTDOWN_TIMEOUT_MS\s*=\s*([\d_]+)/.exec(text);
  assert.ok(
    match !== null,
    'DEFAULT_SHUTDOWN_TIMEOUT_MS not found in src/runtime/shutdown.ts: check TimeoutStopSec= against the deadline',
  );
  return Number((match[1] ?? '').replaceAll('_', ''));
}

function seconds(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|min)?$/.exec(value);
  assert.ok(match !== null, `a duration: ${value}`);
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1);
}

describe('examples/systemd/datalogd.service', () => {
  test('every key is a systemd directive of its section, given once unless it may repeat', async () => {
    const unit = parseUnit(await readFile(UNIT_FILE, 'utf8'));
    assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
    for (const [section, keys] of unit) {
      for (const [key, values] of keys) {
        assert.ok(KNOWN_KEYS[section]?.includes(key), `[${section}] ${key} is a known directive`);
        if (!REPEATABLE.has(key)) assert.equal(values.length, 1, `[${section}] ${key} once`);
      }
    }
  });

  test('it starts the installed command with the service config, reloads with SIGHUP and stops within its deadline', async () => {
    const unit = parseUnit(await readFile(UNIT_FILE, 'utf8'));
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const [command = '', ...args] = one(unit, 'Service', 'ExecStart').split(/\s+/);
    assert.ok(command.startsWith('/'), 'an absolute path, as every systemd version needs');
    assert.ok(
      Object.keys(pkg.bin).includes(command.split('/').at(-1) ?? ''),
      `${command} is the package's bin`,
    );
    assert.deepEqual(args, ['-c', '/etc/datalogd/datalogd.conf']);
    assert.equal(one(unit, 'Service', 'ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(one(unit, 'Service', 'Type'), 'simple');
    assert.equal(one(unit, 'Service', 'Restart'), 'on-failure');
    assert.ok(seconds(one(unit, 'Service', 'RestartSec')) >= 1, 'a delay between restarts');
    assert.equal(one(unit, 'Service', 'KillSignal'), 'SIGTERM', 'the signal the daemon stops on');
    const deadline = await shutdownDeadlineMs();
    const timeout = seconds(one(unit, 'Service', 'TimeoutStopSec'));
    assert.ok(
      timeout * 1000 >= deadline + 5000,
      `TimeoutStopSec=${timeout}s leaves room above the daemon's ${deadline} ms deadline`,
    );
    assert.equal(one(unit, 'Service', 'StandardOutput'), 'journal');
    assert.equal(one(unit, 'Service', 'StandardError'), 'journal');
  });

  test('the hardening asked for is there, and what would break Node.js or serial ports is not', async () => {
    const unit = parseUnit(await readFile(UNIT_FILE, 'utf8'));
    const service = (key: string): string => one(unit, 'Service', key);
    assert.notEqual(service('User'), 'root');
    assert.equal(service('SupplementaryGroups'), 'dialout');
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'LockPersonality']) {
      assert.equal(service(key), 'yes', key);
    }
    assert.equal(service('ProtectSystem'), 'strict');
    assert.ok(unit.get('Service')?.get('ReadWritePaths')?.includes(service('WorkingDirectory')));
    assert.equal(service('WorkingDirectory'), `/var/lib/${service('StateDirectory')}`);
    assert.equal(service('CapabilityBoundingSet'), '', 'no capabilities at all');
    assert.equal(service('MemoryDenyWriteExecute'), 'no', 'V8 needs writable-then-executable code');
    assert.equal(service('PrivateDevices'), 'no', 'serial ports are devices');
    assert.deepEqual(service('RestrictAddressFamilies').split(' ').sort(), [
      'AF_INET',
      'AF_INET6',
      'AF_NETLINK',
      'AF_UNIX',
    ]);
    assert.deepEqual(unit.get('Service')?.get('DeviceAllow'), [
      'char-ttyS rw',
      'char-ttyUSB rw',
      'char-ttyACM rw',
    ]);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  const skip = analyze.status === 0 ? false : 'systemd-analyze is not installed';

  /** A root holding the system's units, the command and `unitText` as datalogd.service. */
  async function unitRoot(unitText: string, name: string): Promise<string> {
    const root = join(sandbox.dir, `root-${name}`);
    await mkdir(join(root, 'etc', 'systemd', 'system'), { recursive: true });
    await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
    await mkdir(join(root, 'bin'), { recursive: true });
    await mkdir(join(root, 'lib', 'systemd'), { recursive: true });
    await cp('/lib/systemd/system', join(root, 'lib', 'systemd', 'system'), { recursive: true });
    await writeFile(join(root, 'usr', 'local', 'bin', 'datalogd'), '#!/bin/sh\n');
    await chmod(join(root, 'usr', 'local', 'bin', 'datalogd'), 0o755);
    await copyFile('/bin/kill', join(root, 'bin', 'kill'));
    await writeFile(join(root, 'etc', 'systemd', 'system', 'datalogd.service'), unitText);
    return root;
  }

  /** `systemd-analyze verify` on `unitText`: its warnings. */
  async function verify(unitText: string, name: string): Promise<string> {
    const root = await unitRoot(unitText, name);
    const result = spawnSync('systemd-analyze', ['verify', `--root=${root}`, 'datalogd.service'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    // This systemd's own @system-service list names calls its parser does not know yet.
    return result.stderr
      .split('\n')
      .filter(
        (l) =>
          l !== '' && !/Failed to parse system call, ignoring: (riscv_hwprobe|uretprobe)/.test(l),
      )
      .join('\n');
  }

  test('systemd-analyze verify finds nothing to warn about', { skip }, async () => {
    const text = await readFile(UNIT_FILE, 'utf8');
    assert.equal(await verify(text, 'as-shipped'), '');
    // The same check on a misspelt copy: it does look at the keys.
    const broken = text
      .replace('ProtectHome=yes', 'ProtectHomee=yes')
      .replace('KillSignal=SIGTERM', 'KillSignal=SIGTREM');
    const warnings = await verify(broken, 'misspelt');
    assert.match(warnings, /Unknown key.*ProtectHomee/);
    assert.match(warnings, /SIGTREM/);
  });

  test('systemd-analyze security rates the unit at most 2.0 of 10 exposed', { skip }, async () => {
    const root = await unitRoot(await readFile(UNIT_FILE, 'utf8'), 'security');
    const result = spawnSync(
      'systemd-analyze',
      ['security', '--offline=yes', `--root=${root}`, 'datalogd.service'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const level = /Overall exposure level for datalogd\.service: ([\d.]+)/.exec(result.stdout);
    assert.ok(level !== null, result.stdout + result.stderr);
    assert.ok(Number(level[1]) <= 2.0, `exposure ${level[1]}`);
  });
});

describe('examples/systemd/datalogd.conf, run as the unit runs it', () => {
  test('the command line of ExecStart (with --log-format json) runs the example config in the working directory and stops on SIGTERM, flushed', async () => {
    const workdir = join(sandbox.dir, 'var-lib-datalogd');
    await mkdir(workdir);
    const daemon = new DaemonProcess(
      ['-c', EXAMPLE_CONFIG, '--log-format', 'json'],
      sandbox.env,
      workdir,
    );
    await waitUntil(
      async () => {
        const files = await readdir(workdir);
        return files.length === 1;
      },
      'the file of the series',
      { detail: () => daemon.stderr },
    );
    await daemon.waitForStderr(/Starting event loop/);
    // The walk reads at start and then once a second: a little over a second gives two
    // readings, still in the sink's buffer (flush_interval=10), then a stop as systemctl
    // stop sends it, which must write them.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stopped = Date.now();
    assert.equal(await daemon.stop('SIGTERM'), 0, daemon.stderr);
    assert.ok(Date.now() - stopped < 15_000, 'within TimeoutStopSec');
    const [name = ''] = await readdir(workdir);
    assert.match(name, /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_randomwalk\.csv$/);
    const lines = (await readFile(join(workdir, name), 'utf8')).split('\n');
    assert.equal(lines[0], 'timestamp,analog_randomwalk0,analog_randomwalk1');
    assert.ok(lines.length >= 4, `the header, two rows and a final newline: ${lines.join('|')}`);
    for (const row of lines.slice(1, -1))
      assert.match(row, /^\d{4}-\d\d-\d\dT[^,]+Z,-?[\d.]+,-?[\d.]+$/);
    assert.equal(lines.at(-1), '', 'whole lines');
    for (const line of daemon.stderrLines) {
      assert.equal(typeof (JSON.parse(line) as { message?: unknown }).message, 'string', line);
    }
  });
});
