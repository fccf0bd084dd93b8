import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';
import { readPng } from '../helpers/plot-files.js';
import { waitUntil } from '../helpers/wait.js';

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

test('examples/random-walk-csv.conf writes a CSV table: one header, a timestamp and a cell per sensor', async () => {
  const dir = join(sandbox.dir, 'random-walk-csv');
  await mkdir(dir);
  const daemon = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'random-walk-csv.conf')],
    sandbox.env,
    dir,
  );
  await daemon.waitForStdoutLines(3);
  assert.equal(await daemon.stop(), 0);
  const files = await readdir(dir);
  assert.equal(files.length, 1, files.join(', '));
  assert.match(
    files[0] ?? '',
    /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_randomwalk\.csv$/,
    'a file per run',
  );
  const lines = (await readFile(join(dir, files[0] ?? ''), 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], 'timestamp,analog_randomwalk0,analog_randomwalk1');
  assert.ok(lines.length >= 4, `header and rows: ${lines.length} lines`);
  const ticks = daemon.stdoutLines.map(
    (line) => JSON.parse(line) as { value: number; timestamp: string }[],
  );
  lines.slice(1).forEach((row, i) => {
    const [t, v0, v1, ...rest] = row.split(',');
    assert.match(t ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(rest, [], 'exactly one timestamp and two sensor columns');
    assert.ok(Number.isFinite(Number(v0)) && Number.isFinite(Number(v1)), row);
    // The same readings as on the console, under their own headers.
    const tick = ticks[i];
    if (tick !== undefined)
      assert.equal(row, `${tick[0]?.timestamp},${tick[0]?.value},${tick[1]?.value}`);
  });
});

test('examples/random-walk-plot.conf (the Python recipe: aggregator -> MatplotlibDataSink) draws a PNG of both walkers', async () => {
  const daemon = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'random-walk-plot.conf')],
    sandbox.env,
    sandbox.dir,
  );
  const file = join(sandbox.dir, 'randomwalk.png');
  await waitUntil(
    () =>
      stat(file).then(
        () => true,
        () => false,
      ),
    'randomwalk.png',
    { detail: () => daemon.stderr },
  );
  assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
  const png = readPng(await readFile(file));
  assert.deepEqual([png.width, png.height], [1600, 1000]);
  assert.ok(png.variance > 100, `luminance variance ${png.variance}`);
  assert.ok(png.hasColour([0x4c, 0x78, 0xa8]) && png.hasColour([0xf5, 0x85, 0x18]), 'two lines');
  assert.match(daemon.stderr, /\[datalogd\] plot: .*files_written=[1-9]/);
  assert.doesNotMatch(daemon.stderr, /DATALOGD_ERR_/);
});
