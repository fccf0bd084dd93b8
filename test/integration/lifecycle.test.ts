import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('SIGTERM exits 0 and a FileDataSink CSV file is complete on disk', async () => {
  const file = join(sandbox.dir, 'walk.csv');
  const graph = `digraph {
    w [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1]]"];
    csv [class=CSVDataFilter, keys="['value']", labels="['{id}']", header=once];
    f [class=FileDataSink, filename="${file}", flush_interval=60];
    p [class=PrintDataSink];
    w -> csv -> f;
    w -> p;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  await daemon.waitForStdoutLines(40);
  assert.equal(await daemon.stop('SIGTERM'), 0);
  const text = await readFile(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the last row is complete');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'randomwalk0');
  const printed = daemon.stdoutLines.map((l) => (JSON.parse(l) as { value: number }[])[0]?.value);
  // Every tick printed before the stop was also written to the file, in order.
  assert.deepEqual(lines.slice(1, printed.length + 1).map(Number), printed);
  assert.ok(lines.length - 1 >= printed.length);
});

test('SIGINT exits 0 too, and logs the stop', async () => {
  const daemon = new DaemonProcess(
    ['-g', 'digraph { a [class=HeartbeatDataSource]; b [class=NullDataSink]; a -> b; }'],
    sandbox.env,
  );
  await daemon.waitForStderr(/Starting event loop/);
  assert.equal(await daemon.stop('SIGINT'), 0);
  assert.match(daemon.stderr, /Received SIGINT\. Stopping event loop\./);
});

test('with no configuration at all the demo graph runs, with a warning on how to configure', async () => {
  const daemon = new DaemonProcess([], sandbox.env);
  await daemon.waitForStderr(/randomwalk1/);
  assert.match(daemon.stderr, /WARNING .*demo graph.*-g/);
  assert.match(daemon.stderr, /"timestamp":"\d{4}-\d\d-\d\dT/);
  assert.equal(await daemon.stop(), 0);
});

test('--show-config-dirs shows both locations and exits 0', async () => {
  const { code, stderr } = await runDaemon(['--show-config-dirs'], sandbox.env);
  assert.equal(code, 0);
  assert.ok(
    stderr.includes(join(sandbox.env.XDG_CONFIG_HOME as string, 'datalogd', 'datalogd.conf')),
  );
  assert.ok(
    stderr.includes(join(sandbox.env.XDG_CONFIG_DIRS as string, 'datalogd', 'datalogd.conf')),
  );
});

test('--help lists the Python flags', async () => {
  const { code, stdout } = await runDaemon(['-h'], sandbox.env);
  assert.equal(code, 0);
  for (const flag of [
    '--configfile',
    '--plugindirs',
    '--graph-dot',
    '--show-config-dirs',
    '--log-level',
  ]) {
    assert.ok(stdout.includes(flag), flag);
  }
});

test('an unknown flag is a usage error', async () => {
  const { code, stderr } = await runDaemon(['--no-such-flag'], sandbox.env);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option/);
});

test('a second signal forces the exit when a node will not close', async () => {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = join(sandbox.dir, 'hanging-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'hang.mjs'),
    `import { DataSink } from 'datalogd';
export class HangingDataSink extends DataSink {
  close() { return new Promise(() => {}); }
}
`,
  );
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { a [class=HeartbeatDataSource]; b [class=HangingDataSink]; a -> b; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStderr(/Starting event loop/);
  daemon.child.kill('SIGTERM');
  await daemon.waitForStderr(/Stopping event loop/);
  const started = Date.now();
  const code = await daemon.stop('SIGTERM', 5000);
  assert.equal(code, 3, 'a forced exit is an unclean stop');
  assert.ok(Date.now() - started < 2000, 'the second signal exits at once');
  assert.match(daemon.stderr, /exiting without waiting/);
});

test('a graph with nothing scheduled keeps running until it is told to stop, like Python', async () => {
  const daemon = new DaemonProcess(
    ['-g', 'digraph { a [class=NullDataSource]; b [class=NullDataSink]; a -> b; }'],
    sandbox.env,
  );
  await daemon.waitForStderr(/Starting event loop/);
  await sleep(1000);
  assert.equal(daemon.child.exitCode, null, 'still running after a second');
  assert.equal(await daemon.stop(), 0);
});

test('options named like secrets are redacted from the start-up log', async () => {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = join(sandbox.dir, 'secret-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'vault.mjs'),
    `import { DataSink } from 'datalogd';
export class VaultDataSink extends DataSink {}
`,
  );
  const daemon = new DaemonProcess(
    [
      '-v',
      '-p',
      dir,
      '-g',
      'digraph { v [class=VaultDataSink, password=hunter2, api_token=s3cr3t, token_env=MY_TOKEN, user=ada]; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStderr(/Starting event loop/);
  assert.equal(await daemon.stop(), 0);
  assert.doesNotMatch(daemon.stderr, /hunter2|s3cr3t/);
  assert.match(daemon.stderr, /"password":"\[redacted\]"/);
  assert.match(daemon.stderr, /"token_env":"MY_TOKEN","user":"ada"/);
});
