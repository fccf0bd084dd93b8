import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

interface Reading {
  type: string;
  id: string;
  value: number;
  units: string;
  timestamp: string;
}

/** The example's calibration: counts on the walk's lattice map to volts on a 0.05/0.125 V grid. */
function onGrid(volts: number, start: number, step: number): boolean {
  const k = (volts - start) / step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

test('examples/lab-pipeline.conf: calibrated, timestamped, shown on the console and written as a CSV table in blocks', async () => {
  const config = path.join(REPO_ROOT, 'examples', 'lab-pipeline.conf');
  const daemon = new DaemonProcess(['-c', config], sandbox.env, sandbox.dir);
  let code: number | null;
  try {
    // 25 readings at 0.1 s: at least two blocks of ten go to the file.
    await daemon.waitForStdoutLines(25, 15_000);
  } finally {
    code = await daemon.stop('SIGINT');
  }
  assert.equal(code, 0, daemon.stderr);

  const ticks = daemon.stdoutLines.map((line) => JSON.parse(line) as Reading[]);
  for (const tick of ticks) {
    assert.deepEqual(
      tick.map((r) => [r.type, r.id, r.units]),
      [
        ['analog', 'randomwalk0', 'V'],
        ['analog', 'randomwalk1', 'V'],
      ],
    );
    assert.equal(tick[0]?.timestamp, tick[1]?.timestamp, 'one timestamp per receipt');
    assert.ok(!Number.isNaN(Date.parse(tick[0]?.timestamp ?? '')));
    // counts 1000 + 10k -> 4.5 + 0.05k V; counts 2000 + 25k -> 9.5 + 0.125k V
    assert.ok(onGrid(tick[0]?.value ?? NaN, 4.5, 0.05), `${tick[0]?.value}`);
    assert.ok(onGrid(tick[1]?.value ?? NaN, 9.5, 0.125), `${tick[1]?.value}`);
    assert.equal(tick[0]?.value, Math.round((tick[0]?.value ?? 0) * 1000) / 1000, 'rounded to mV');
  }
  const [first0, first1] = ticks[0]?.map((r) => r.value) ?? [];
  assert.ok(Math.abs((first0 ?? NaN) - 4.5) <= 0.05 + 1e-9, 'one step from 1000 counts');
  assert.ok(Math.abs((first1 ?? NaN) - 9.5) <= 0.125 + 1e-9, 'one step from 2000 counts');

  const csv = (await readFile(path.join(sandbox.dir, 'lab-pipeline.csv'), 'utf8')).trimEnd();
  const [header, ...rows] = csv.split('\n');
  assert.equal(header, 'timestamp,analog_randomwalk0,analog_randomwalk1', 'one header, a table');
  assert.ok(rows.length >= 20, `at least two blocks, got ${rows.length} rows`);
  assert.equal(rows.length % 10, 0, 'whole blocks of ten rows');
  // The file holds the same readings as the console, in the same order.
  rows.forEach((row, i) => {
    const tick = ticks[i];
    assert.ok(tick !== undefined, `row ${i} has a console line`);
    assert.equal(row, [tick[0]?.timestamp, tick[0]?.value, tick[1]?.value].join(','));
  });
});
