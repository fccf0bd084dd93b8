import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { writeFixturePlugin } from '../helpers/influxd.js';
import { VictoriaServer, type ExportedSeries } from '../helpers/victoria.js';
import { waitUntil } from '../helpers/wait.js';

// VictoriaMetrics implements the InfluxDB 2.x write endpoint `/api/v2/write`. It stores a
// point's fields as series named `<measurement>_<field>` labelled with the point's tags, and
// numbers only: booleans become 1/0, strings 0. Times are kept to the millisecond.

let sandbox: Sandbox;
let pluginDir: string;
before(async () => {
  sandbox = await makeSandbox();
  pluginDir = join(sandbox.dir, 'plugins');
  await mkdir(pluginDir);
  await writeFixturePlugin(pluginDir);
});
after(async () => {
  await sandbox.cleanup();
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly time: number;
}

function samples(series: readonly ExportedSeries[]): Sample[] {
  const out: Sample[] = [];
  for (const s of series) {
    const { __name__: name = '', ...labels } = s.metric;
    s.values.forEach((value, i) => {
      out.push({ name, labels, value, time: s.timestamps[i] ?? NaN });
    });
  }
  return out.sort((a, b) => a.time - b.time || a.name.localeCompare(b.name));
}

async function readRun(server: VictoriaServer, runId: string): Promise<Sample[]> {
  try {
    return samples(await server.export(`{run_id="${runId}"}`));
  } catch {
    return []; // down
  }
}

interface WalkRecord {
  readonly type: string;
  readonly id: string;
  readonly value: number;
  readonly timestamp: string;
}

function printedKeys(daemon: DaemonProcess): string[] {
  return daemon.stdoutLines
    .filter((line) => line.startsWith('['))
    .flatMap((line) => JSON.parse(line) as WalkRecord[])
    .map((r) => `walk_${r.type}_${r.id}@${Date.parse(r.timestamp)}=${r.value}`);
}

function walkGraph(url: string, runId: string): string {
  return `digraph {
    walk [class=RandomWalkDataSource, interval=0.02, walkers="[[0, 1], [100, 0.5]]"];
    stamp [class=TimeStampDataFilter];
    print [class=PrintDataSink];
    db [class=InfluxDB2DataSink, url="${url}", org=lab, bucket=walk, measurement=walk,
        run_id=${runId}, flush_interval=0.1, batch_size=50, retry_min=0.05, retry_max=0.5];
    walk -> stamp -> print;
    stamp -> db;
  }`;
}

async function assertAllArrived(
  daemon: DaemonProcess,
  server: VictoriaServer,
  runId: string,
): Promise<number> {
  const printed = printedKeys(daemon).sort();
  assert.equal(new Set(printed).size, printed.length, 'printed records are distinct');
  let stored: string[] = [];
  // The last batch, written at close, may take a moment to become searchable.
  await waitUntil(
    async () => {
      stored = (await readRun(server, runId)).map((s) => `${s.name}@${s.time}=${s.value}`).sort();
      return stored.length >= printed.length;
    },
    `${printed.length} samples`,
    { timeoutMs: 10_000 },
  );
  assert.deepEqual(stored, printed);
  const stats = /db: (.*)$/m.exec(daemon.stderr)?.[1] ?? '';
  assert.match(stats, new RegExp(`\\bpoints_written=${printed.length}\\b`), stats);
  assert.doesNotMatch(stats, /points_(dropped|rejected|unsent_at_close)=/);
  return printed.length;
}

describe('InfluxDB2DataSink against VictoriaMetrics /api/v2/write', () => {
  test('records written through a datalogd graph read back with names, tags, values and times', async () => {
    const server = await VictoriaServer.start();
    try {
      const file = join(sandbox.dir, 'records.json');
      const t0 = Date.parse('2024-05-06T07:08:09.123Z');
      await writeFile(
        file,
        JSON.stringify([
          {
            type: 'temperature',
            id: 'A',
            value: 21.5,
            units: 'C',
            timestamp: { $date: new Date(t0).toISOString() },
          },
          {
            type: 'temperature',
            id: 'B',
            value: -3,
            units: 'C',
            timestamp: { $date: new Date(t0).toISOString() },
          },
          {
            name: 'door',
            value: true,
            source: 'arduino',
            timestamp: new Date(t0 + 1000).toISOString(),
          },
          { label: 'status', value: 'ok', timestamp: { $date: new Date(t0 + 2000).toISOString() } },
          {
            type: 'counter',
            value: 7,
            probe: 3,
            timestamp: { $date: new Date(t0 + 3000).toISOString() },
          },
          { type: 'x', id: 'nothing', value: null },
        ]),
      );
      const graph = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=InfluxDB2DataSink, url="${server.url}", org=o, bucket=b, measurement=lab, run_id=r1, flush_interval=0.1];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
      try {
        await waitUntil(async () => (await readRun(server, 'r1')).length === 5, '5 samples');
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.deepEqual(await readRun(server, 'r1'), [
        { name: 'lab_temperature_A', labels: { run_id: 'r1', units: 'C' }, value: 21.5, time: t0 },
        { name: 'lab_temperature_B', labels: { run_id: 'r1', units: 'C' }, value: -3, time: t0 },
        {
          name: 'lab_door',
          labels: { run_id: 'r1', source: 'arduino' },
          value: 1,
          time: t0 + 1000,
        },
        { name: 'lab_status', labels: { run_id: 'r1' }, value: 0, time: t0 + 2000 },
        { name: 'lab_counter', labels: { probe: '3', run_id: 'r1' }, value: 7, time: t0 + 3000 },
      ]);
      assert.match(daemon.stderr, /db: .*records_received=6 records_skipped=1 .*points_written=5/);
    } finally {
      await server.cleanup();
    }
  });

  test('spaces, commas, equals signs, quotes, backslashes and unicode round-trip in names and tags', async () => {
    const server = await VictoriaServer.start();
    try {
      const tricky = 'a b,c=d "e" f\\g ü😀 end\\';
      const file = join(sandbox.dir, 'special.json');
      await writeFile(
        file,
        JSON.stringify([
          {
            name: tricky,
            value: 1.25,
            [tricky]: tricky,
            'tab\tkey': 'x\\ y',
            note: 'two\nlines',
            timestamp: { $date: '2024-01-01T00:00:00Z' },
          },
        ]),
      );
      const graph = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=InfluxDB2DataSink, url="${server.url}", measurement="lab room,1=x", run_id="run 1", flush_interval=0.1];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
      try {
        await waitUntil(async () => (await readRun(server, 'run 1')).length === 1, '1 sample');
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.deepEqual(await readRun(server, 'run 1'), [
        {
          name: `lab room,1=x_${tricky}`,
          // A line break cannot be carried in a tag; it is written as the two characters \n.
          labels: { run_id: 'run 1', [tricky]: tricky, 'tab\tkey': 'x\\ y', note: 'two\\nlines' },
          value: 1.25,
          time: Date.parse('2024-01-01T00:00:00Z'),
        },
      ]);
      assert.match(daemon.stderr, /names_altered=1/);
      assert.match(daemon.stderr, /WARNING \[db\] \[DATALOGD_ERR_INFLUX_NAME_ALTERED\] /);
    } finally {
      await server.cleanup();
    }
  });

  test('server down at start: everything written before it starts arrives afterwards, once', async () => {
    const server = await VictoriaServer.prepare();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'down')], sandbox.env);
      try {
        await daemon.waitForStdoutLines(40);
        await daemon.waitForStderr(
          /WARNING \[db\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] .*http:\/\/127\.0\.0\.1:\d+ bucket "walk" \(org "lab"\).*ECONNREFUSED/,
        );
        const whileDown = printedKeys(daemon).length;
        await server.start();
        await waitUntil(
          async () => (await readRun(server, 'down')).length >= whileDown,
          `the ${whileDown} records written while the server was down`,
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.ok((await assertAllArrived(daemon, server, 'down')) >= 80);
      assert.match(daemon.stderr, /db: .*\bwrite_failures=[1-9]/);
    } finally {
      await server.cleanup();
    }
  });

  test('server stopped mid-run and restarted on the same port: every record arrives, once', async () => {
    const server = await VictoriaServer.start();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'crash')], sandbox.env);
      try {
        await waitUntil(
          async () => (await readRun(server, 'crash')).length >= 20,
          '20 samples first',
        );
        // SIGTERM: VictoriaMetrics acknowledges rows before they reach its disk, so a SIGKILL
        // can lose rows it has already accepted; that would be its loss, not the sink's.
        await server.stop();
        const atStop = printedKeys(daemon).length;
        await waitUntil(() => printedKeys(daemon).length >= atStop + 60, '30 receipts while down');
        await daemon.waitForStderr(/WARNING \[db\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] /);
        await server.start();
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      await assertAllArrived(daemon, server, 'crash');
    } finally {
      await server.cleanup();
    }
  });

  test('server killed (SIGKILL) mid-run and restarted: every record from the kill on arrives, once', async () => {
    const server = await VictoriaServer.start();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'kill')], sandbox.env);
      let killedAt = 0;
      try {
        await waitUntil(
          async () => (await readRun(server, 'kill')).length >= 20,
          '20 samples first',
        );
        killedAt = Date.now();
        await server.kill();
        const atKill = printedKeys(daemon).length;
        await waitUntil(() => printedKeys(daemon).length >= atKill + 60, '30 receipts while down');
        await daemon.waitForStderr(/WARNING \[db\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] /);
        await server.start();
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      const printed = printedKeys(daemon);
      const afterKill = printed.filter((key) => Number(/@(\d+)=/.exec(key)?.[1]) >= killedAt);
      let stored: string[] = [];
      await waitUntil(
        async () => {
          stored = (await readRun(server, 'kill')).map((s) => `${s.name}@${s.time}=${s.value}`);
          return afterKill.every((key) => stored.includes(key));
        },
        `the ${afterKill.length} records from the kill on`,
        { timeoutMs: 10_000 },
      );
      assert.ok(afterKill.length >= 60);
      assert.equal(new Set(stored).size, stored.length, 'no sample twice');
      assert.deepEqual(
        stored.filter((key) => !printed.includes(key)),
        [],
        'nothing unexpected',
      );
      assert.match(daemon.stderr, /db: .*points_written=\d+/);
      assert.doesNotMatch(daemon.stderr, /points_(dropped|rejected|unsent_at_close)=/);
    } finally {
      await server.cleanup();
    }
  });

  test('the token, inline or from token_env, is never logged', async () => {
    const TOKEN = 'tok-5b0e7f31c9d2a4==';
    const server = await VictoriaServer.start();
    try {
      const file = join(sandbox.dir, 'token.json');
      await writeFile(file, JSON.stringify([{ type: 't', id: '1', value: 1 }]));
      for (const [runId, option] of [
        ['env', 'token_env=DATALOGD_INFLUX_TOKEN'],
        ['inline', `token="${TOKEN}"`],
      ] as const) {
        const graph = `digraph {
          src [class=FixtureDataSource, file="${file}"];
          db [class=InfluxDB2DataSink, url="${server.url}", ${option}, run_id=${runId}, flush_interval=0.1];
          src -> db;
        }`;
        const daemon = new DaemonProcess(['-v', '-p', pluginDir, '-g', graph], {
          ...sandbox.env,
          DATALOGD_INFLUX_TOKEN: TOKEN,
        });
        try {
          await waitUntil(async () => (await readRun(server, runId)).length === 1, '1 sample');
        } finally {
          assert.equal(await daemon.stop(), 0, daemon.stderr);
        }
        assert.match(daemon.stderr, /DEBUG/);
        assert.match(daemon.stderr, /"token":"(\[redacted\])?"/);
        assert.ok(!daemon.stderr.includes(TOKEN), `${runId}: the token is in the log`);
        assert.ok(!daemon.stdout.includes(TOKEN));
      }
    } finally {
      await server.cleanup();
    }
  });
});
