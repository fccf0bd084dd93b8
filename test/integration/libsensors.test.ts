import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { buildHwmonTree, FAILING_SENSOR, STANDARD_RECORDS } from '../fixtures/hwmon/build.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

test('the datalogd command reads a fixture hwmon tree: every type scaled, libsensors ids, units, at each interval', async () => {
  const hwmon = await buildHwmonTree(join(sandbox.dir, 'sys'));
  const graph = `digraph {
    sensors [class=LibSensorsDataSource, interval=0.1, hwmon_path="${hwmon}"];
    print [class=PrintDataSink];
    sensors -> print;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await daemon.waitForStdoutLines(4);
    for (const line of daemon.stdoutLines.slice(0, 4)) {
      assert.deepEqual(JSON.parse(line), STANDARD_RECORDS);
    }
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
  const failures = daemon.stderrLines.filter((l) => l.includes('[DATALOGD_ERR_SENSOR_READ]'));
  assert.equal(failures.length, 1, daemon.stderr);
  assert.ok(failures[0]?.includes(FAILING_SENSOR), failures[0]);
  assert.equal(count(daemon.stderr, /WARNING/), 1, daemon.stderr);
  // Every reading failed for that sensor; the status line at stop counts them all.
  const readErrors = /sensors: .*read_errors=(\d+)/.exec(daemon.stderr);
  const readings = /sensors: .*readings=(\d+)/.exec(daemon.stderr);
  assert.ok(readErrors && readings, daemon.stderr);
  assert.ok(Number(readings[1]) >= 4);
  assert.ok(Number(readErrors[1]) >= Number(readings[1]), daemon.stderr);
});

test('against this machine: whatever /sys/class/hwmon has, or the one warning', async (t) => {
  let chips: string[] = [];
  try {
    chips = await readdir('/sys/class/hwmon');
  } catch {
    // No hwmon class at all (containers, virtual machines).
  }
  const graph = `digraph {
    sensors [class=LibSensorsDataSource, interval=0.2];
    print [class=PrintDataSink];
    sensors -> print;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await daemon.waitForStderr(/Reading \d+ sensor|No hardware monitors with sensors found/);
    // Several intervals, to show the warning is not repeated and the source keeps going.
    await sleep(1200);
    assert.equal(daemon.child.exitCode, null, 'the daemon keeps running');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
  if (/Reading \d+ sensor/.test(daemon.stderr)) {
    assert.ok(daemon.stdoutLines.length >= 3, 'one list of records per interval');
    const records = JSON.parse(daemon.stdoutLines[0] ?? '[]') as Record<string, unknown>[];
    for (const r of records) {
      assert.equal(typeof r.id, 'string');
      assert.equal(typeof r.value, 'number');
      assert.match(
        String(r.type),
        /^(temperature|voltage|fanspeed|power|energy|current|humidity)$/,
      );
    }
    t.diagnostic(
      `${records.length} sensor(s) on this machine: ${records.map((r) => `${String(r.id)}=${String(r.value)}${String(r.units)}`).join(', ')}`,
    );
  } else {
    assert.equal(count(daemon.stderr, /No hardware monitors with sensors found/), 1, daemon.stderr);
    assert.equal(daemon.stdoutLines.length, 0);
    t.diagnostic(`no hardware monitors here (/sys/class/hwmon has ${chips.length} entries)`);
  }
});
