import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RowMaker } from '../../src/io/record-table.js';
import { PostgreSQLTransport } from '../../src/plugins/sinks/postgresql/transport.js';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';
import { writeFixturePlugin } from '../helpers/influxd.js';
import { PostgresServer } from '../helpers/postgres.js';
import { printedKeys, run, statsOf } from '../helpers/stores.js';
import { waitUntil } from '../helpers/wait.js';

// A real PostgreSQL 15, started by the tests (test/helpers/postgres.ts), read back with
// Debian's `psql`: an independent reader.

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

/** Rows of a query through psql, as arrays of column texts. */
async function psql(server: PostgresServer, sql: string): Promise<string[][]> {
  const out = await run('psql', ['-X', '-q', '-A', '-t', '-F', '\t', '-d', server.url, '-c', sql]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** `id@epoch-µs=value` of every stored row of a run (empty while the server is down). */
async function storedKeys(server: PostgresServer, runId: string): Promise<string[]> {
  if (!server.running) return [];
  try {
    const rows = await psql(
      server,
      `SELECT id, (extract(epoch FROM time) * 1000000)::bigint, value FROM records WHERE run = '${runId}' ORDER BY run_no, seq`,
    );
    return rows.map(([id, us, value]) => `${id}@${us}=${Number(value)}`);
  } catch {
    return []; // not up yet, or no table yet
  }
}

function walkGraph(url: string, runId: string, extra = ''): string {
  return `digraph {
    walk [class=RandomWalkDataSource, interval=0.02, walkers="[[0, 1], [100, 0.5]]"];
    stamp [class=TimeStampDataFilter];
    print [class=PrintDataSink];
    db [class=PostgreSQLDataSink, url="${url}", run_id=${runId}, flush_interval=0.1,
        batch_size=20, retry_min=0.05, retry_max=0.5, timeout=2 ${extra}];
    walk -> stamp -> print;
    stamp -> db;
  }`;
}

/** Every printed record is stored exactly once, and the counters agree. */
async function assertAllOnce(
  daemon: DaemonProcess,
  server: PostgresServer,
  runId: string,
): Promise<number> {
  const printed = printedKeys(daemon);
  assert.ok(printed.length > 0, 'the walk printed records');
  const stored = await storedKeys(server, runId);
  assert.deepEqual(stored, printed, 'every record once, in order, values and times exact');
  const stats = statsOf(daemon, 'db');
  assert.equal(stats.records_written, printed.length, daemon.stderr);
  assert.equal(stats.records_overflowed ?? 0, 0);
  assert.equal(stats.records_rejected ?? 0, 0);
  assert.equal(stats.records_unsent_at_close ?? 0, 0);
  return printed.length;
}

describe('PostgreSQLDataSink against a real PostgreSQL 15', () => {
  test('records of a graph read back with psql: columns, µs times, extras, runs and layout version', async () => {
    const server = await PostgresServer.start();
    try {
      const file = join(sandbox.dir, 'pg-records.json');
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
            type: 'pico',
            id: 'ch1',
            value: 'open circuit',
            probe: { kind: 'K', serial: 7 },
            timestamp: '2024-05-06T07:08:09.123456Z',
          },
          { type: 'door', value: true, ok: null },
        ]),
      );
      const graph = `digraph {
        src [class=FixtureDataSource, file="${file}"];
        db [class=PostgreSQLDataSink, url="${server.url}", schema=lab, run_id=r1, flush_interval=0.1];
        src -> db;
      }`;
      const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
      try {
        await waitUntil(
          async () => {
            try {
              return (await psql(server, 'SELECT count(*) FROM lab.records'))[0]?.[0] === '3';
            } catch {
              return false;
            }
          },
          '3 rows',
          { timeoutMs: 15_000, detail: () => daemon.stderr },
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      const rows = await psql(
        server,
        `SET TIME ZONE 'UTC'; SELECT to_char(time, 'YYYY-MM-DD"T"HH24:MI:SS.US'), run, seq, receipt, stamped, type, coalesce(id, '-'), coalesce(value::text, '-'), coalesce(units, '-'), coalesce(extra::text, '-') FROM lab.records ORDER BY seq`,
      );
      assert.deepEqual(rows.slice(0, 2), [
        ['2024-05-06T07:08:09.123000', 'r1', '1', '1', 't', 'temperature', 'A', '21.5', 'C', '-'],
        [
          '2024-05-06T07:08:09.123456',
          'r1',
          '2',
          '1',
          't',
          'pico',
          'ch1',
          '-',
          '-',
          '{"value":"open circuit","probe":{"kind":"K","serial":7},"timestamp":"2024-05-06T07:08:09.123456Z"}',
        ],
      ]);
      // No timestamp: the receipt time, flagged as such; the boolean is 1 and kept exactly.
      assert.deepEqual(rows[2]?.slice(1), [
        'r1',
        '3',
        '1',
        'f',
        'door',
        '-',
        '1',
        '-',
        '{"value":true,"ok":null}',
      ]);
      assert.deepEqual(await psql(server, 'SELECT version FROM lab.schema_version'), [['1']]);
      assert.deepEqual(await psql(server, 'SELECT run_no, run FROM lab.runs'), [['1', 'r1']]);
    } finally {
      await server.cleanup();
    }
  });

  test('server down at start: the records wait, are retried, and arrive once when it is up', async () => {
    const server = await PostgresServer.prepare();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'down')], sandbox.env);
      try {
        await daemon.waitForStderr(/\[DATALOGD_ERR_STORE_WRITE_FAILED\].*postgresql:\/\//, 15_000);
        await daemon.waitFor(() => printedKeys(daemon).length >= 40, '40 records printed');
        await server.start();
        await waitUntil(async () => (await storedKeys(server, 'down')).length >= 60, '60 rows', {
          timeoutMs: 20_000,
          detail: () => daemon.stderr,
        });
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      await assertAllOnce(daemon, server, 'down');
      assert.ok((statsOf(daemon, 'db').store_write_failures ?? 0) >= 1);
    } finally {
      await server.cleanup();
    }
  });

  test('server killed with SIGKILL mid-run and restarted: every record arrives, once', async () => {
    const server = await PostgresServer.start();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'crash')], sandbox.env);
      try {
        await waitUntil(async () => (await storedKeys(server, 'crash')).length >= 40, '40 rows', {
          timeoutMs: 20_000,
          detail: () => daemon.stderr,
        });
        await server.kill();
        const printedAtKill = printedKeys(daemon).length;
        await daemon.waitFor(
          () => printedKeys(daemon).length >= printedAtKill + 40,
          'records printed while the server is down',
        );
        await daemon.waitForStderr(/\[DATALOGD_ERR_STORE_WRITE_FAILED\]/, 15_000);
        await server.start();
        const target = printedKeys(daemon).length + 20;
        await waitUntil(
          async () => (await storedKeys(server, 'crash')).length >= target,
          `${target} rows`,
          {
            timeoutMs: 20_000,
            detail: () => daemon.stderr,
          },
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      await assertAllOnce(daemon, server, 'crash');
    } finally {
      await server.cleanup();
    }
  });

  test('server stopped cleanly mid-run and restarted: every record arrives, once', async () => {
    const server = await PostgresServer.start();
    try {
      const daemon = new DaemonProcess(['-g', walkGraph(server.url, 'restart')], sandbox.env);
      try {
        await waitUntil(async () => (await storedKeys(server, 'restart')).length >= 40, '40 rows', {
          timeoutMs: 20_000,
          detail: () => daemon.stderr,
        });
        await server.stop();
        await daemon.waitForStderr(/\[DATALOGD_ERR_STORE_WRITE_FAILED\]/, 15_000);
        const printedAtStop = printedKeys(daemon).length;
        await daemon.waitFor(
          () => printedKeys(daemon).length >= printedAtStop + 40,
          'records printed while the server is down',
        );
        await server.start();
        const target = printedKeys(daemon).length + 20;
        await waitUntil(
          async () => (await storedKeys(server, 'restart')).length >= target,
          `${target} rows`,
          {
            timeoutMs: 20_000,
            detail: () => daemon.stderr,
          },
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      await assertAllOnce(daemon, server, 'restart');
    } finally {
      await server.cleanup();
    }
  });

  test('a batch sent again after its reply was lost adds nothing: each row has a unique key', async () => {
    const server = await PostgresServer.start();
    try {
      const transport = new PostgreSQLTransport({
        url: server.url,
        password: null,
        schema: 'public',
        run: {
          run: 'twice',
          startedUs: Date.now() * 1000,
          host: 'test',
          pid: 1,
          startKey: '00000000-0000-4000-8000-000000000001',
        },
        tls: { sslmode: null, sslrootcert: null, sslcert: null, sslkey: null },
        timeoutMs: 5000,
      });
      const rows = new RowMaker();
      rows.beginReceipt();
      const batch = [0, 1, 2].map((i) => rows.row({ type: 't', id: String(i), value: i }).row);
      const signal = new AbortController().signal;
      await transport.prepare(signal);
      await transport.write(batch, signal);
      // As after a lost COMMIT reply: connect again (the run is found, not made again) and resend.
      await transport.prepare(signal);
      await transport.write(batch, signal);
      transport.close();
      assert.deepEqual(await psql(server, 'SELECT run_no, seq, id FROM records ORDER BY seq'), [
        ['1', '1', '0'],
        ['1', '2', '1'],
        ['1', '3', '2'],
      ]);
      assert.deepEqual(await psql(server, 'SELECT count(*) FROM runs'), [['1']]);
    } finally {
      await server.cleanup();
    }
  });

  test('password_env naming an unset variable is a configuration error: the daemon does not start', async () => {
    const graph = `digraph {
      db [class=PostgreSQLDataSink, url="postgresql://lab@127.0.0.1:1/lab", password_env=DATALOGD_TEST_NO_SUCH_VARIABLE];
    }`;
    const result = await runDaemon(['-g', graph], sandbox.env);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /\[DATALOGD_ERR_OPTION_TYPE\].*node "db": option "password_env" names the environment variable DATALOGD_TEST_NO_SUCH_VARIABLE, which is not set/,
    );
  });

  test('the password from password_env is used and never logged', async () => {
    const server = await PostgresServer.start();
    try {
      await psql(server, "CREATE ROLE lab LOGIN PASSWORD 's3cret-pw'");
      await psql(server, "ALTER SYSTEM SET password_encryption = 'scram-sha-256'");
      await writeFile(
        join(server.dataDir, 'pg_hba.conf'),
        'local all postgres trust\nhost all postgres 127.0.0.1/32 trust\nhost all lab 127.0.0.1/32 scram-sha-256\n',
      );
      await psql(server, 'SELECT pg_reload_conf()');
      await psql(server, 'GRANT CREATE ON DATABASE postgres TO lab');
      const url = `postgresql://lab@127.0.0.1:${server.port}/postgres`;
      const graph = `digraph {
        walk [class=RandomWalkDataSource, interval=0.05];
        db [class=PostgreSQLDataSink, url="${url}", schema=labdata, password_env=LAB_PG_PASSWORD, run_id=pw, flush_interval=0.1];
        walk -> db;
      }`;
      const daemon = new DaemonProcess(['-g', graph], {
        ...sandbox.env,
        LAB_PG_PASSWORD: 's3cret-pw',
      });
      try {
        await waitUntil(
          async () => {
            try {
              return (
                Number((await psql(server, 'SELECT count(*) FROM labdata.records'))[0]?.[0]) >= 4
              );
            } catch {
              return false;
            }
          },
          '4 rows written as lab',
          { timeoutMs: 15_000, detail: () => daemon.stderr },
        );
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr);
      }
      assert.doesNotMatch(daemon.stderr + daemon.stdout, /s3cret-pw/);
      assert.match(
        daemon.stderr,
        /Writing to postgresql:\/\/lab@127\.0\.0\.1:\d+\/postgres \(schema labdata\)/,
      );
    } finally {
      await server.cleanup();
    }
  });
});
