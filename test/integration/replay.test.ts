import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';
import { writeFixturePlugin } from '../helpers/influxd.js';
import { printedRecords, pythonRead, statsOf } from '../helpers/stores.js';
import { waitUntil } from '../helpers/wait.js';

// Records stored by SQLiteDataSink and sent again by ReplayDataSource in a second daemon.

let sandbox: Sandbox;
let pluginDir: string;
before(async () => {
  sandbox = await makeSandbox();
  pluginDir = join(sandbox.dir, 'plugins');
  await mkdir(pluginDir);
  await writeFixturePlugin(pluginDir);
  // Prints each receipt with the types JSON would hide: Dates, BigInts, NaN and infinities.
  await writeFile(
    join(pluginDir, 'types.mjs'),
    `import { DataSink } from 'datalogd';

export class TypesDataSink extends DataSink {
  receive(data) {
    const text = JSON.stringify(data, function (key, value) {
      const original = this[key];
      if (original instanceof Date) return { Date: original.toISOString() };
      if (typeof original === 'bigint') return { BigInt: String(original) };
      if (typeof original === 'number' && !Number.isFinite(original)) return { float: String(original) };
      return value;
    });
    process.stdout.write('TYPES ' + text + '\\n');
  }
}
`,
  );
});
after(async () => {
  await sandbox.cleanup();
});

const T0 = Date.parse('2024-05-06T22:00:00.000Z');

/** Runs a replay graph until the source says it is done, then stops the daemon. */
async function replay(graph: string): Promise<DaemonProcess> {
  const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
  try {
    await daemon.waitForStderr(/\[r\] Replayed \d+ record\(s\)/, 20_000);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
  return daemon;
}

function typesLines(daemon: DaemonProcess): string[] {
  return daemon.stdoutLines.filter((line) => line.startsWith('TYPES '));
}

async function recordFixture(name: string, records: unknown[], runId: string): Promise<string> {
  const file = join(sandbox.dir, `${name}.json`);
  await writeFile(file, JSON.stringify(records));
  const db = join(sandbox.dir, `${name}.db`);
  const graph = `digraph {
    src [class=FixtureDataSource, file="${file}"];
    types [class=TypesDataSink];
    db [class=SQLiteDataSink, filename="${db}", run_id=${runId}, flush_interval=0.05];
    src -> types;
    src -> db;
  }`;
  const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
  try {
    await waitUntil(
      async () =>
        ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) >=
        records.filter((r) => typeof r === 'object').length,
      'the fixture stored',
      { detail: () => daemon.stderr },
    );
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
  return db;
}

describe('ReplayDataSource', () => {
  test('a recorded run replayed through a filter gives the same output as the live run', async () => {
    const db = join(sandbox.dir, 'live.db');
    const liveCsv = join(sandbox.dir, 'live.csv');
    const replayCsv = join(sandbox.dir, 'replay.csv');
    const chain = (csvFile: string): string => `
      keep [class=KeyValDataFilter, keyvals="[['id', 'randomwalk[02]']]"];
      poly [class=PolynomialFunctionDataFilter, match_keyvals="[['id', 'randomwalk2']]", coeffs="[1.5, 2]"];
      csv [class=CSVDataFilter, keys="['timestamp', 'value']", labels="['time', '{id}']"];
      out [class=FileDataSink, filename="${csvFile}", flush_interval=0];
      keep -> poly -> csv -> out;`;
    const live = new DaemonProcess(
      [
        '-g',
        `digraph {
          walk [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1], [10, 0.5], [20, 0.25]]"];
          stamp [class=TimeStampDataFilter];
          db [class=SQLiteDataSink, filename="${db}", flush_interval=0.05];
          ${chain(liveCsv)}
          walk -> stamp -> db;
          stamp -> keep;
        }`,
      ],
      sandbox.env,
    );
    try {
      await waitUntil(
        async () => ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) >= 300,
        '300 records stored',
        { timeoutMs: 15_000, detail: () => live.stderr },
      );
    } finally {
      assert.equal(await live.stop(), 0, live.stderr);
    }
    const replayed = await replay(`digraph {
      r [class=ReplayDataSource, filename="${db}"];
      ${chain(replayCsv)}
      r -> keep;
    }`);
    const expected = await readFile(liveCsv, 'utf8');
    assert.ok(expected.split('\n').length > 100, 'the live run wrote its CSV');
    assert.equal(await readFile(replayCsv, 'utf8'), expected);
    assert.equal(statsOf(replayed, 'r').records_replayed, statsOf(live, 'db').records_written);
  });

  test('records come out as they went in: one receipt, Dates as Dates, text times as text, every extra key', async () => {
    const records = [
      {
        type: 'temperature',
        id: 'A',
        value: 21.5,
        units: 'C',
        timestamp: { $date: new Date(T0).toISOString() },
      },
      {
        type: 'pico',
        id: 'ch1',
        value: 'open circuit',
        probe: { kind: 'K', serial: 7, calibrated: { $date: '2023-01-02T03:04:05.006Z' } },
        timestamp: '2024-05-06T22:00:00.123456Z',
      },
      { type: 'door', value: true, ok: null, tags: ['a', 1, false], nested: { deep: [{ x: 1 }] } },
      { name: 'no type', value: -0.000123, count: 12345678901234568 },
      { type: 7, id: 3, value: null, units: ['m', 's'] },
    ];
    const file = join(sandbox.dir, 'types.json');
    await writeFile(file, JSON.stringify(records));
    const db = join(sandbox.dir, 'types.db');
    const live = new DaemonProcess(
      [
        '-p',
        pluginDir,
        '-g',
        `digraph {
          src [class=FixtureDataSource, file="${file}"];
          types [class=TypesDataSink];
          db [class=SQLiteDataSink, filename="${db}", flush_interval=0.05];
          src -> types;
          src -> db;
        }`,
      ],
      sandbox.env,
    );
    try {
      await waitUntil(
        async () => ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) === 5,
        '5 rows',
        { detail: () => live.stderr },
      );
    } finally {
      assert.equal(await live.stop(), 0, live.stderr);
    }
    const replayed = await replay(`digraph {
      r [class=ReplayDataSource, filename="${db}"];
      types [class=TypesDataSink];
      r -> types;
    }`);
    assert.equal(typesLines(live).length, 1);
    assert.deepEqual(typesLines(replayed), typesLines(live));
    assert.match(
      typesLines(replayed)[0] ?? '',
      /"timestamp":\{"Date":"2024-05-06T22:00:00.000Z"\}/,
    );
    assert.match(
      typesLines(replayed)[0] ?? '',
      /"calibrated":\{"Date":"2023-01-02T03:04:05.006Z"\}/,
    );
  });

  test('run, time range and selector narrow the replay; a second datalogd reads the file while it is written', async () => {
    const first = Array.from({ length: 20 }, (_v, i) => ({
      type: i % 2 === 0 ? 'temperature' : 'pressure',
      id: `s${i}`,
      value: i,
      timestamp: { $date: new Date(T0 + i * 1000).toISOString() },
    }));
    const db = await recordFixture('runs', first, 'night');
    // A second run, still being written while it is replayed.
    const writer = new DaemonProcess(
      [
        '-g',
        `digraph {
          walk [class=RandomWalkDataSource, interval=0.01];
          stamp [class=TimeStampDataFilter];
          db [class=SQLiteDataSink, filename="${db}", run_id=morning, flush_interval=0.05];
          walk -> stamp -> db;
        }`,
      ],
      sandbox.env,
    );
    try {
      await waitUntil(
        async () => ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) >= 60,
        'the second run writing',
        { detail: () => writer.stderr },
      );
      const night = await replay(`digraph {
        r [class=ReplayDataSource, filename="${db}", run=night,
           start="2024-05-06T22:00:05Z", end="2024-05-06T22:00:15Z", select="[['type', 'temp.*']]"];
        p [class=PrintDataSink];
        r -> p;
      }`);
      assert.deepEqual(
        printedRecords(night).map((r) => r.id),
        ['s6', 's8', 's10', 's12', 's14'],
      );
      const morning = await replay(`digraph {
        r [class=ReplayDataSource, filename="${db}", run=last];
        p [class=PrintDataSink];
        r -> p;
      }`);
      assert.equal(writer.child.exitCode, null, 'the writer was still running');
      const replayedMorning = printedRecords(morning);
      assert.ok(replayedMorning.length >= 60);
      assert.ok(replayedMorning.every((r) => r.type === 'analog'));
      const stored = (await pythonRead(db)).records.filter((r) => r.run === 'morning');
      assert.deepEqual(
        replayedMorning.map((r) => `${r.id}@${Date.parse(r.timestamp) * 1000}=${r.value}`),
        stored.slice(0, replayedMorning.length).map((r) => `${r.id}@${r.time_us}=${r.value}`),
      );
    } finally {
      assert.equal(await writer.stop(), 0, writer.stderr);
    }
  });

  test('speed=4 keeps the recorded pace, four times faster', async () => {
    const db = join(sandbox.dir, 'pace.db');
    const live = new DaemonProcess(
      [
        '-g',
        `digraph {
          walk [class=RandomWalkDataSource, interval=0.05, walkers="[[0, 1]]"];
          stamp [class=TimeStampDataFilter];
          db [class=SQLiteDataSink, filename="${db}", flush_interval=0.05];
          walk -> stamp -> db;
        }`,
      ],
      sandbox.env,
    );
    try {
      await waitUntil(
        async () => ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) >= 30,
        '30 receipts recorded',
        { timeoutMs: 15_000, detail: () => live.stderr },
      );
    } finally {
      assert.equal(await live.stop(), 0, live.stderr);
    }
    const stored = (await pythonRead(db)).records;
    const recordedMs = ((stored.at(-1)?.time_us ?? 0) - (stored[0]?.time_us ?? 0)) / 1000;
    // Stamped again as they come out of the replay: the replay's own pace.
    const paced = await replay(`digraph {
      r [class=ReplayDataSource, filename="${db}", speed=4];
      stamp [class=TimeStampDataFilter];
      p [class=PrintDataSink];
      r -> stamp -> p;
    }`);
    const times = printedRecords(paced).map((r) => Date.parse(r.timestamp));
    assert.equal(times.length, stored.length);
    const replayedMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
    // Never early (the pacer waits until each receipt is due); late only by scheduling.
    assert.ok(replayedMs >= recordedMs / 4 - 2, `${replayedMs} ms for ${recordedMs} ms recorded`);
    assert.ok(
      replayedMs <= recordedMs / 4 + 1000,
      `${replayedMs} ms for ${recordedMs} ms recorded`,
    );
  });
});

test('examples/sqlite.conf records a walk and examples/replay.conf sends it again, calibrated', async () => {
  const dir = join(sandbox.dir, 'examples');
  await mkdir(dir);
  const recorder = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'sqlite.conf')],
    sandbox.env,
    dir,
  );
  const db = join(dir, 'lab.db');
  try {
    await waitUntil(
      async () => ((await pythonRead(db).catch(() => undefined))?.records.length ?? 0) >= 6,
      '6 rows in lab.db',
      { timeoutMs: 15_000, detail: () => recorder.stderr },
    );
  } finally {
    assert.equal(await recorder.stop(), 0, recorder.stderr);
  }
  const stored = (await pythonRead(db)).records;
  const player = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'replay.conf')],
    sandbox.env,
    dir,
  );
  try {
    await player.waitForStderr(/\[replay\] Replayed \d+ record\(s\)/, 20_000);
  } finally {
    assert.equal(await player.stop(), 0, player.stderr);
  }
  const replayed = printedRecords(player);
  assert.equal(replayed.length, stored.length);
  replayed.forEach((record, i) => {
    const row = stored[i];
    assert.equal(record.id, row?.id);
    assert.equal(Date.parse(record.timestamp) * 1000, row?.time_us);
    assert.ok(Math.abs(record.value - 1.8 * (row?.value ?? Number.NaN)) < 1e-9, 'calibrated');
  });
});
