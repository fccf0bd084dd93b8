import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
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

type Rec = Record<string, unknown>;

function parsed(daemon: DaemonProcess): Rec[][] {
  return daemon.stdoutLines.map((line) => JSON.parse(line) as Rec[]);
}

function watchdogs(daemon: DaemonProcess): Rec[] {
  return parsed(daemon)
    .flat()
    .filter((r) => r['type'] === 'watchdog');
}

function readings(daemon: DaemonProcess): Rec[] {
  return parsed(daemon)
    .flat()
    .filter((r) => r['type'] === 'analog');
}

test('examples/sensor-identifier.conf: identifies, corrects and reports the missing pump', async () => {
  const daemon = new DaemonProcess(
    ['-c', path.join('examples', 'sensor-identifier.conf')],
    sandbox.env,
    REPO_ROOT,
  );
  let code: number | null;
  try {
    await daemon.waitFor(
      () => readings(daemon).length >= 6 && watchdogs(daemon).length >= 4,
      'three receipts and four watchdog records',
      15_000,
    );
  } finally {
    code = await daemon.stop('SIGTERM');
  }
  assert.equal(code, 0, daemon.stderr);

  const tank = readings(daemon).filter((r) => r['sensor_identifier'] === 'TANK_TEMP');
  const flow = readings(daemon).filter((r) => r['sensor_identifier'] === 'FLOW');
  assert.ok(tank.length >= 3 && flow.length >= 3);
  for (const r of tank) {
    assert.equal(r['id'], 'randomwalk0');
    assert.equal(r['sensor_name'], 'Tank temperature');
    assert.equal(r['units'], 'C');
    assert.deepEqual(r['range'], [0, 40]);
    assert.equal(r['critical_range'], true);
    assert.equal(r['critical_interval'], true);
    assert.ok(!Number.isNaN(Date.parse(String(r['timestamp']))));
    // value = round(raw * 1.002 - 0.1, 2) with raw = 20 + 0.5k: two decimals at most
    const v = r['value'] as number;
    assert.ok(Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, `${v} has two decimals`);
    assert.ok(v > 15 && v < 25, `${v} is near 20`);
  }
  for (const r of flow) {
    assert.ok((r['value'] as number) >= 0, 'max(value, 0)');
    assert.equal(r['flow_status'], (r['value'] as number) < 0.5 ? 'low' : 'ok');
  }

  const records = watchdogs(daemon);
  for (const w of records) {
    assert.equal(w['sensor_identifier'], 'WATCHDOG');
    assert.equal(w['value'], 'FAULT', 'the pump never reports');
    assert.deepEqual((w['faults'] as Rec)['PUMP'], ['not present']);
  }
  const last = records.at(-1) as Rec;
  assert.deepEqual(last['faults'], { PUMP: ['not present'] }, 'the walk keeps its sensors on time');
});

test('a source that stops is reported as "no updates since" its last reading', async () => {
  const pluginDir = path.join(sandbox.dir, 'plugins');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(
    path.join(pluginDir, 'stopping.mjs'),
    `import { DataSource } from 'datalogd';
export class StoppingWalkDataSource extends DataSource {
  constructor(options = {}) {
    super();
    this.count = options.count;
    this.sent = 0;
  }
  start() {
    this.timer = setInterval(() => {
      this.sent += 1;
      this.send([
        { type: 'analog', id: 'randomwalk0', value: 20 + this.sent },
        { type: 'analog', id: 'randomwalk1', value: 1.5 },
      ]);
      if (this.sent >= this.count) {
        clearInterval(this.timer);
        this.log.info('source stopped');
      }
    }, 100);
  }
  onClose() {
    clearInterval(this.timer);
  }
}
`,
  );
  const rules = path.join(REPO_ROOT, 'examples', 'sensor-identifier-rules.json');
  const graph = `digraph {
    src [class=StoppingWalkDataSource, count=4];
    ident [class=SensorIdentifierDataFilter, rules="${rules}"];
    console [class=PrintDataSink];
    src -> ident -> console;
  }`;
  const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env, sandbox.dir);
  const late = (w: Rec): boolean =>
    String(
      ((w['faults'] as Rec | undefined)?.['TANK_TEMP'] as string[] | undefined)?.[0],
    ).startsWith('no updates since ');
  let code: number | null;
  try {
    await daemon.waitFor(() => watchdogs(daemon).some(late), 'a "no updates since" fault', 15_000);
  } finally {
    code = await daemon.stop('SIGTERM');
  }
  assert.equal(code, 0, daemon.stderr);
  assert.match(daemon.stderr, /\[src\] source stopped/);

  const data = readings(daemon);
  assert.equal(data.length, 8, 'four receipts of two readings');
  const lastTimestamp = String(data.at(-1)?.['timestamp']);
  const records = watchdogs(daemon);
  const fault = records.find(late) as Rec;
  assert.deepEqual(fault['faults'], {
    PUMP: ['not present'],
    TANK_TEMP: [`no updates since ${lastTimestamp}`],
    FLOW: [`no updates since ${lastTimestamp}`],
  });
  const stoppedAt = Date.parse(lastTimestamp);
  assert.ok(
    records.some((w) => w['value'] === 'FAULT' && !late(w)),
    'while the source ran, only the pump was at fault',
  );
  assert.ok(Number.isFinite(stoppedAt));
});
