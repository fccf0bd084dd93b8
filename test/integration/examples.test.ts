import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('examples/demo.conf logs timestamped random walk records', async () => {
  const daemon = new DaemonProcess(['-c', join(REPO_ROOT, 'examples', 'demo.conf')], sandbox.env);
  await daemon.waitForStderr(
    /\[console\] {3}\{"type":"analog","id":"randomwalk1","value":-?\d+(\.\d+)?,"timestamp":"\d{4}-/,
  );
  assert.equal(await daemon.stop(), 0);
  assert.doesNotMatch(daemon.stderr, /demo graph runs/, 'the file supplies the graph');
});

test('examples/random-walk-csv.conf writes a CSV file with one header and complete rows', async () => {
  const daemon = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'random-walk-csv.conf')],
    sandbox.env,
    sandbox.dir,
  );
  await daemon.waitForStdoutLines(3);
  assert.equal(await daemon.stop(), 0);
  const lines = (await readFile(join(sandbox.dir, 'randomwalk.csv'), 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], 'timestamp,analog_randomwalk0,timestamp,analog_randomwalk1');
  assert.ok(lines.length >= 4, `header and rows: ${lines.length} lines`);
  for (const row of lines.slice(1)) {
    const [t0, v0, t1, v1] = row.split(',');
    assert.match(t0 ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.equal(t0, t1, 'one timestamp per receipt');
    assert.ok(Number.isFinite(Number(v0)) && Number.isFinite(Number(v1)), row);
  }
});
