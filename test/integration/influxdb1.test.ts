import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DaemonProcess,
  REPO_ROOT,
  makeSandbox,
  runDaemon,
  type Sandbox,
} from '../helpers/daemon.js';
import { InfluxdServer, writeFixturePlugin } from '../helpers/influxd.js';
import { waitUntil } from '../helpers/wait.js';

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

/** One field value of one point as read back: what the tests compare. */
interface StoredValue {
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly field: string;
  readonly value: unknown;
  readonly time: number;
}

/** Every field value in `db`, tags separated from fields by GROUP BY *. */
async function readAll(
  server: InfluxdServer,
  db: string,
  epoch: 'ms' | 'u' = 'ms',
): Promise<StoredValue[]> {
  const reply = await server.query('SELECT * FROM /.*/ GROUP BY *', db, { epoch });
  const out: StoredValue[] = [];
  for (const series of reply.results?.[0]?.series ?? []) {
    for (const row of series.values ?? []) {
      series.columns.forEach((column, i) => {
        if (column === 'time' || row[i] === null) return;
        out.push({
          measurement: series.name,
          // GROUP BY * lists every tag key of the measurement, '' where a series has none.
          tags: Object.fromEntries(Object.entries(series.tags ?? {}).filter(([, v]) => v !== '')),
          field: column,
          value: row[i],
          time: row[0] as number,
        });
      });
    }
  }
  return out.sort((a, b) => a.time - b.time || a.field.localeCompare(b.field));
}

async function countValues(server: InfluxdServer, db: string): Promise<number> {
  try {
    return (await readAll(server, db)).length;
  } catch {
    return -1; // the server is down or the database does not exist yet
  }
}

interface WalkRecord {
  readonly type: string;
  readonly id: string;
  readonly value: number;
  readonly timestamp: string;
}

/** What a random walk printed, as `field@time=value` keys (one per record). */
function printedKeys(daemon: DaemonProcess): string[] {
  return daemon.stdoutLines
    .filter((line) => line.startsWith('['))
    .flatMap((line) => JSON.parse(line) as WalkRecord[])
    .map((r) => `${r.type}_${r.id}@${Date.parse(r.timestamp)}=${r.value}`);
}

function storedKeys(values: readonly StoredValue[]): string[] {
  return values.map((v) => `${v.field}@${v.time}=${String(v.value)}`);
}

function walkGraph(port: number, db: string): string {
  return `digraph {
    walk [class=RandomWalkDataSource, interval=0.02, walkers="[[0, 1], [100, 0.5]]"];
    stamp [class=TimeStampDataFilter];
    print [class=PrintDataSink];
    db [class=InfluxDBDataSink, host="127.0.0.1", port=${port}, dbname=${db}, session=walk,
        run=r1, flush_interval=0.1, batch_size=50, retry_min=0.05, retry_max=0.5];
    walk -> stamp -> print;
    stamp -> db;
  }`;
}

/** Every printed record is in the database, once; nothing else is. */
async function assertAllArrived(
  daemon: DaemonProcess,
  server: InfluxdServer,
  db: string,
): Promise<number> {
  const printed = printedKeys(daemon).sort();
  const stored = storedKeys(await readAll(server, db)).sort();
  assert.equal(new Set(printed).size, printed.length, 'printed records are distinct');
  assert.deepEqual(stored, printed);
  const stats = /db: (.*)$/m.exec(daemon.stderr)?.[1] ?? '';
  assert.match(stats, new RegExp(`\\bpoints_written=${printed.length}\\b`), stats);
  assert.doesNotMatch(stats, /points_(dropped|rejected|unsent_at_close)=/);
  return printed.length;
}

describe('InfluxDBDataSink against a real InfluxDB 1.x', () => {
  test('records written through a datalogd graph read back with measurement, tags, field keys, values and times', async () => {
    const server = await InfluxdServer.start();
    try {
      const file = join(sandbox.dir, 'records.json');
      await writeFile(
        file,
        JSON.stringify([
          {
            type: 'temperature',
            id: 'A',
            value: 21.5,
            units: 'C',
            timestamp: { $date: '2024-05-06T07:08:09.123Z' },
          },
          {
            type: 'temperature',
            id: 'B',
            value: -3,
            units: 'C',
            timestamp: { $date: '2024-05-06T07:08:09.123Z' },
          },
          {
            name: 'door',
            value: true,
            source: 'arduino',
            timestamp: '2024-05-06T07:08:10.000001+00:00',
          },
          {
            label: 'status',
            value: 'ok',
            type: 'state',
            timestamp: { $date: '2024-05-06T07:08:11Z' },
          },
          { type: 'counter', value: 7, probe: 3, timestamp: { $date: '2024-05-06T07:08:12Z' } },
          { type: 'x', id: 'nothing', value: null },
          { type: 'x', id: 'aggregated', value: [1, 2] },
        ]),
      );
      const graph = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=InfluxDBDataSink, host="127.0.0.1", port=${server.httpPort}, dbname=lab, session=bench, run=r1, flush_interval=0.1];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
      try {
        await waitUntil(
          async () => (await countValues(server, 'lab')) === 5,
          '5 values in InfluxDB',
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.deepEqual(await readAll(server, 'lab', 'u'), [
        {
          measurement: 'bench',
          tags: { run: 'r1', units: 'C' },
          field: 'temperature_A',
          value: 21.5,
          time: 1714979289123000,
        },
        {
          measurement: 'bench',
          tags: { run: 'r1', units: 'C' },
          field: 'temperature_B',
          value: -3,
          time: 1714979289123000,
        },
        {
          measurement: 'bench',
          tags: { run: 'r1', source: 'arduino' },
          field: 'door',
          value: true,
          time: 1714979290000001,
        },
        {
          measurement: 'bench',
          tags: { run: 'r1', type: 'state' },
          field: 'status',
          value: 'ok',
          time: 1714979291000000,
        },
        {
          measurement: 'bench',
          tags: { probe: '3', run: 'r1' },
          field: 'counter',
          value: 7,
          time: 1714979292000000,
        },
      ]);
      const fieldKeys = await server.query('SHOW FIELD KEYS FROM "bench"', 'lab');
      assert.deepEqual(fieldKeys.results?.[0]?.series?.[0]?.values, [
        ['counter', 'float'],
        ['door', 'boolean'],
        ['status', 'string'],
        ['temperature_A', 'float'],
        ['temperature_B', 'float'],
      ]);
      assert.match(daemon.stderr, /db: .*records_received=7 records_skipped=2 .*points_written=5/);
      assert.equal(
        daemon.stderr.split('\n').filter((l) => l.includes('[DATALOGD_ERR_INFLUX_RECORD_SKIPPED]'))
          .length,
        2,
      );
      assert.match(daemon.stderr, /WARNING \[db\] \[DATALOGD_ERR_INFLUX_RECORD_SKIPPED\] /);
    } finally {
      await server.cleanup();
    }
  });

  test('spaces, commas, equals signs, quotes, backslashes, line breaks and unicode round-trip', async () => {
    const server = await InfluxdServer.start();
    try {
      const tricky = 'a b,c=d "e" f\\g ü😀';
      const text = 'line 1\nline 2 "quoted", a=b \\ back\\';
      const file = join(sandbox.dir, 'special.json');
      await writeFile(
        file,
        JSON.stringify([
          {
            name: tricky,
            value: 1.25,
            [tricky]: tricky,
            'tab\tkey': 'x\\ y',
            timestamp: { $date: '2024-01-01T00:00:00Z' },
          },
          { name: 'text', value: text, timestamp: { $date: '2024-01-01T00:00:01Z' } },
        ]),
      );
      const graph = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=InfluxDBDataSink, host="127.0.0.1", port=${server.httpPort}, dbname="odd db", session="lab room,1=x", run="run 1", flush_interval=0.1];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
      try {
        await waitUntil(async () => (await countValues(server, 'odd db')) === 2, '2 values');
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.deepEqual(await readAll(server, 'odd db'), [
        {
          measurement: 'lab room,1=x',
          tags: { run: 'run 1', [tricky]: tricky, 'tab\tkey': 'x\\ y' },
          field: tricky,
          value: 1.25,
          time: Date.parse('2024-01-01T00:00:00Z'),
        },
        {
          measurement: 'lab room,1=x',
          tags: { run: 'run 1' },
          field: 'text',
          value: text,
          time: Date.parse('2024-01-01T00:00:01Z'),
        },
      ]);
      assert.doesNotMatch(daemon.stderr, /names_altered|points_rejected/);
    } finally {
      await server.cleanup();
    }
  });

  test('server down at start: everything written before it starts arrives afterwards, once', async () => {
    const server = await InfluxdServer.prepare();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.httpPort, 'walk')], sandbox.env);
      try {
        await daemon.waitForStdoutLines(40);
        await daemon.waitForStderr(
          /WARNING \[db\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] .*http:\/\/127\.0\.0\.1:\d+ database "walk".*ECONNREFUSED/,
        );
        const whileDown = printedKeys(daemon).length;
        await server.start();
        await waitUntil(
          async () => (await countValues(server, 'walk')) >= whileDown,
          `the ${whileDown} records written while the server was down`,
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      const total = await assertAllArrived(daemon, server, 'walk');
      assert.match(daemon.stderr, /db: .*\bwrite_failures=[1-9]/);
      assert.ok(total >= 80, `${total} records`);
    } finally {
      await server.cleanup();
    }
  });

  test('server killed mid-run and restarted on the same port: every record arrives, once', async () => {
    const server = await InfluxdServer.start();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.httpPort, 'crash')], sandbox.env);
      try {
        await waitUntil(
          async () => (await countValues(server, 'crash')) >= 20,
          '20 values before the crash',
        );
        await server.kill();
        const atKill = printedKeys(daemon).length;
        await waitUntil(() => printedKeys(daemon).length >= atKill + 60, '30 receipts while down');
        await daemon.waitForStderr(/WARNING \[db\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] /);
        await server.start();
        const beforeRestart = printedKeys(daemon).length;
        await waitUntil(
          async () => (await countValues(server, 'crash')) >= beforeRestart,
          'the records written while the server was down',
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      await assertAllArrived(daemon, server, 'crash');
      assert.match(daemon.stderr, /db: .*\bwrite_failures=[1-9]/);
    } finally {
      await server.cleanup();
    }
  });

  test('examples/influxdb.conf writes the random walk to InfluxDB 1.x', async () => {
    const server = await InfluxdServer.start();
    try {
      const example = await readFile(join(REPO_ROOT, 'examples', 'influxdb.conf'), 'utf8');
      const local = example.replace(
        'host=localhost, port=8086',
        `host="127.0.0.1", port=${server.httpPort}`,
      );
      assert.notEqual(local, example);
      const config = join(sandbox.dir, 'influxdb.conf');
      await writeFile(config, local);
      const daemon = new DaemonProcess(['-c', config], sandbox.env);
      try {
        await daemon.waitForStdoutLines(2);
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      const values = await readAll(server, 'datalogd');
      assert.deepEqual(storedKeys(values).sort(), printedKeys(daemon).sort());
      assert.ok(values.length >= 4);
      assert.deepEqual(new Set(values.map((v) => v.measurement)), new Set(['randomwalk']));
      assert.deepEqual(
        new Set(values.map((v) => v.field)),
        new Set(['analog_randomwalk0', 'analog_randomwalk1']),
      );
      assert.match(values[0]?.tags.run ?? '', /^\d{8}-\d{6}$/);
    } finally {
      await server.cleanup();
    }
  });

  test('with authentication on: the password (from password_env or inline) is used and never logged', async () => {
    const PASSWORD = 'pw-7d1e93b2c4a8';
    const server = await InfluxdServer.start({ authEnabled: true });
    try {
      await server.query(`CREATE USER admin WITH PASSWORD '${PASSWORD}' WITH ALL PRIVILEGES`);
      const file = join(sandbox.dir, 'auth.json');
      await writeFile(file, JSON.stringify([{ type: 't', id: '1', value: 1 }]));
      const auth = { user: 'admin', password: PASSWORD };
      const variants = [
        { db: 'fromenv', option: 'password_env=DATALOGD_INFLUX_PW' },
        { db: 'inline', option: `password="${PASSWORD}"` },
      ];
      for (const { db, option } of variants) {
        const graph = `digraph {
          src [class=FixtureDataSource, file="${file}"];
          db [class=InfluxDBDataSink, host="127.0.0.1", port=${server.httpPort}, dbname=${db}, user=admin, ${option}, flush_interval=0.1];
          src -> db;
        }`;
        const daemon = new DaemonProcess(['-v', '-p', pluginDir, '-g', graph], {
          ...sandbox.env,
          DATALOGD_INFLUX_PW: PASSWORD,
        });
        try {
          await waitUntil(async () => {
            try {
              const rows = await server.select('SELECT * FROM "default"', db, auth);
              return rows.length === 1;
            } catch {
              return false;
            }
          }, `the point in ${db}`);
        } finally {
          assert.equal(await daemon.stop(), 0, daemon.stderr);
        }
        assert.match(daemon.stderr, /DEBUG/);
        assert.ok(!daemon.stderr.includes(PASSWORD), `${db}: the password is in the log`);
        assert.ok(!daemon.stdout.includes(PASSWORD));
        await server.query(`DROP DATABASE ${db}`, undefined, auth);
      }

      const wrong = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=InfluxDBDataSink, host="127.0.0.1", port=${server.httpPort}, user=admin, password="wrong-${PASSWORD}", retry_min=0.05, close_timeout=0.3];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-v', '-p', pluginDir, '-g', wrong], sandbox.env);
      try {
        await daemon.waitForStderr(/\[DATALOGD_ERR_INFLUX_WRITE_FAILED\] .*HTTP 401/);
      } finally {
        // The point the server refused is given up at close: the stop says it was not clean.
        assert.equal(await daemon.stop(), 3, daemon.stderr);
      }
      assert.ok(!daemon.stderr.includes(PASSWORD));
      assert.match(daemon.stderr, /points_unsent_at_close=1/);
      assert.match(daemon.stderr, /\[DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE\] /);
    } finally {
      await server.cleanup();
    }
  });

  test('a *_env option naming an unset variable, and retry_min above retry_max, stop the start with the other graph problems', async () => {
    const graph = `digraph {
      walk [class=RandomWalkDataSource, interval=0.1];
      one [class=InfluxDBDataSink, host="127.0.0.1", port=8086, password_env=DATALOGD_TEST_UNSET_PW];
      two [class=InfluxDB2DataSink, token_env=DATALOGD_TEST_UNSET_TOKEN, retry_min=3, retry_max=1];
      three [class=InfluxDB2DataSink, token_env=DATALOGD_TEST_SET_TOKEN, colour=red];
      walk -> one;
      walk -> two;
      walk -> three;
    }`;
    const env: NodeJS.ProcessEnv = { ...sandbox.env, DATALOGD_TEST_SET_TOKEN: 'tok-0a9f33c1' };
    delete env.DATALOGD_TEST_UNSET_PW;
    delete env.DATALOGD_TEST_UNSET_TOKEN;
    const { code, stdout, stderr } = await runDaemon(['-g', graph], env);
    assert.equal(code, 1, stderr);
    const problems = stderr.split('\n').filter((line) => line.trimStart().startsWith('- ['));
    // The schema problems (an unknown option, the retry range) come with the graph's, the
    // variable of "one" from the validate hook; "two" is not checked further, its options
    // being wrong already.
    assert.equal(problems.length, 3, stderr);
    assert.match(stderr, /\[DATALOGD_ERR_UNKNOWN_OPTION\] .*node "three".*"colour"/);
    assert.match(
      stderr,
      /\[DATALOGD_ERR_OPTION_TYPE\] .*node "two": option "retry_min" .*retry_max/,
    );
    assert.match(
      stderr,
      /\[DATALOGD_ERR_OPTION_TYPE\] .*node "one": option "password_env" names the environment variable DATALOGD_TEST_UNSET_PW, which is not set/,
    );
    assert.doesNotMatch(stderr, /Initialising node/);
    assert.ok(!stderr.includes('tok-0a9f33c1') && !stdout.includes('tok-0a9f33c1'));
  });
});
