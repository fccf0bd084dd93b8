import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

/**
 * A dead InfluxDB: it accepts connections and never answers, so every write waits for its
 * timeout (the worst case for a shutdown; a refused port fails fast).
 */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

/** The counters of a node from the shutdown stats line `name: k=v ...`. */
function statsOf(daemon: DaemonProcess, node: string): Record<string, number> {
  const line = daemon.stderrLines.findLast((l) => l.includes(`[datalogd] ${node}: `));
  assert.ok(line !== undefined, `a stats line for ${node}:\n${daemon.stderr}`);
  const counters: Record<string, number> = {};
  for (const [, key, value] of line.matchAll(/(\w+)=(-?\d+)/g)) {
    counters[key as string] = Number(value);
  }
  return counters;
}

/**
 * A random walk at 100 records a second into four InfluxDB sinks on `port` (a server that
 * never answers; `influxOptions` is appended to each) and, through CSV, a file sink.
 */
function fourDeadSinksAndAFile(file: string, port: number, influxOptions = ''): string {
  const influx = [1, 2, 3, 4]
    .map((i) => `db${i} [class=InfluxDBDataSink, host="127.0.0.1", port=${port}${influxOptions}];`)
    .join('\n');
  return `digraph {
    w [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1]]"];
    ${influx}
    csv [class=CSVDataFilter, keys="['value']", header=none];
    f [class=FileDataSink, filename="${file}", flush_interval=60];
    w -> db1; w -> db2; w -> db3; w -> db4;
    w -> csv -> f;
  }`;
}

/** The non-empty lines of a file. */
async function fileRows(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('shutdown', () => {
  test('four InfluxDB sinks hanging on a dead server do not keep a file sink from being flushed; they are abandoned, counted, and the exit status says so', async () => {
    const dead = await silentServer();
    try {
      const file = join(sandbox.dir, 'rows.csv');
      const graph = fourDeadSinksAndAFile(
        file,
        dead.port,
        ', timeout=60, close_timeout=60, flush_interval=0.2',
      );
      const daemon = new DaemonProcess(['--shutdown-timeout', '3', '-g', graph], sandbox.env);
      await daemon.waitForStderr(/Starting event loop/);
      // About 300 rows at 100 a second; the file sink holds them all (flush_interval=60).
      await daemon.waitFor(
        () => daemon.stderrLines.filter((l) => l.includes('Writing to')).length === 4,
        'the four InfluxDB sinks started',
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const stopAt = Date.now();
      const code = await daemon.stop('SIGTERM', 15_000);
      const stopMs = Date.now() - stopAt;

      const rows = await fileRows(file);
      const fileStats = statsOf(daemon, 'f');
      assert.ok(rows.length >= 200, `about 300 rows were logged, got ${rows.length}`);
      assert.equal(
        rows.length,
        fileStats.records_received,
        'every row the sink got is in the file',
      );
      assert.equal(fileStats.records_written, rows.length);

      assert.equal(code, 3, `an unclean stop exits 3:\n${daemon.stderr}`);
      const own = statsOf(daemon, 'datalogd');
      assert.equal(own.nodes_abandoned, 4, 'the four InfluxDB sinks were abandoned');
      assert.ok((own.records_abandoned ?? 0) > 0, 'what they still held is counted');
      const abandonedLines = daemon.stderrLines.filter((l) =>
        l.includes('[DATALOGD_ERR_CLOSE_ABANDONED]'),
      );
      assert.equal(abandonedLines.length, 4);
      for (const i of [1, 2, 3, 4]) {
        assert.ok(abandonedLines.some((l) => l.includes(`node "db${i}"`) && /\d+ records/.test(l)));
      }
      assert.match(
        daemon.stderr,
        /shutdown not clean: closed 3 nodes in \d+ ms; durable outputs flushed: 1 of 1; abandoned 4 at the 3000 ms deadline: db1 with \d+ records/,
      );
      assert.match(daemon.stderr, /durable outputs flushed: 1 of 1/);
      // The deadline holds: 3 s, with room for a loaded machine, far below 4 x 60 s.
      assert.ok(stopMs < 9000, `stopped in ${stopMs} ms`);
    } finally {
      await dead.close();
    }
  });

  test('with their default close_timeout the four sinks give up by themselves within 2 s, concurrently: the file is complete, the loss counted, the exit status 3', async () => {
    const dead = await silentServer();
    try {
      const file = join(sandbox.dir, 'rows-default.csv');
      const graph = fourDeadSinksAndAFile(file, dead.port);
      const daemon = new DaemonProcess(['-g', graph], sandbox.env);
      await daemon.waitForStderr(/Starting event loop/);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const stopAt = Date.now();
      const code = await daemon.stop('SIGTERM', 20_000);
      const stopMs = Date.now() - stopAt;
      const rows = await fileRows(file);
      assert.ok(rows.length >= 200, `about 300 rows were logged, got ${rows.length}`);
      assert.equal(rows.length, statsOf(daemon, 'f').records_received);
      assert.equal(code, 3, `points given up at close make the stop unclean:\n${daemon.stderr}`);
      for (const i of [1, 2, 3, 4]) {
        const db = statsOf(daemon, `db${i}`);
        assert.ok((db.points_unsent_at_close ?? 0) > 0, `db${i} counts what it gave up`);
      }
      assert.match(
        daemon.stderr,
        /shutdown not clean: closed 7 nodes in \d+ ms; durable outputs flushed: 1 of 1; records given up while closing \(counted by each node\): db1 \d+, db2 \d+, db3 \d+, db4 \d+/,
      );
      assert.ok(
        !daemon.stderr.includes('DATALOGD_ERR_CLOSE_ABANDONED'),
        'none abandoned: the daemon has nothing of its own to count',
      );
      // One close_timeout (2 s) for all four, not four of them one after another (8 s).
      assert.ok(stopMs < 6000, `stopped in ${stopMs} ms`);
    } finally {
      await dead.close();
    }
  });

  test('a file sink after a filter whose close hangs is flushed anyway: durable outputs wait a quarter of the deadline for their upstream', async () => {
    const dir = join(sandbox.dir, 'hanging-filter');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'hang.mjs'),
      `import { DataFilter } from 'datalogd';
export class StuckDataFilter extends DataFilter {
  close() { return new Promise(() => {}); }
}
`,
    );
    const file = join(sandbox.dir, 'behind-stuck.txt');
    const graph = `digraph {
      w [class=RandomWalkDataSource, interval=0.01, walkers="[[0, 1]]"];
      stuck [class=StuckDataFilter];
      csv [class=CSVDataFilter, keys="['value']", header=none];
      f [class=FileDataSink, filename="${file}", flush_interval=60];
      w -> stuck -> csv -> f;
    }`;
    const daemon = new DaemonProcess(
      ['-p', dir, '--shutdown-timeout', '4', '-g', graph],
      sandbox.env,
    );
    await daemon.waitForStderr(/Starting event loop/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const code = await daemon.stop('SIGTERM', 15_000);
    const rows = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    const fileStats = statsOf(daemon, 'f');
    assert.ok(rows.length >= 50, `rows logged: ${rows.length}`);
    assert.equal(rows.length, fileStats.records_written);
    assert.equal(fileStats.records_received, fileStats.records_written);
    assert.equal(code, 3);
    assert.equal(statsOf(daemon, 'datalogd').nodes_abandoned, 1, 'only the stuck filter');
    assert.match(daemon.stderr, /node "stuck" had not closed within the 4000 ms deadline/);
  });

  test('a clean stop exits 0 and says how long closing took', async () => {
    const file = join(sandbox.dir, 'clean.txt');
    const daemon = new DaemonProcess(
      [
        '-g',
        `digraph { w [class=RandomWalkDataSource, interval=0.01]; f [class=FileDataSink, filename="${file}"]; w -> f; }`,
      ],
      sandbox.env,
    );
    await daemon.waitForStderr(/Starting event loop/);
    assert.equal(await daemon.stop('SIGTERM'), 0);
    assert.match(
      daemon.stderr,
      /shutdown: closed 2 nodes in \d+ ms; durable outputs flushed: 1 of 1/,
    );
  });

  test('SIGHUP never ends the daemon: it reloads, and a stop after it still flushes', async () => {
    const file = join(sandbox.dir, 'hup.txt');
    const daemon = new DaemonProcess(
      [
        '-g',
        `digraph { w [class=RandomWalkDataSource, interval=0.01]; f [class=FileDataSink, filename="${file}", flush_interval=60]; w -> f; }`,
      ],
      sandbox.env,
    );
    await daemon.waitForStderr(/Starting event loop/);
    daemon.child.kill('SIGHUP');
    await daemon.waitForStderr(/reload: kept 2, restarted 0, added 0, removed 0 in \d+ ms/);
    daemon.child.kill('SIGHUP');
    daemon.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(daemon.child.exitCode, null, 'still running');
    assert.equal(await daemon.stop('SIGTERM'), 0);
    const rows = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    assert.equal(rows.length, statsOf(daemon, 'f').records_received);
    assert.ok(rows.length > 0);
  });

  test('a SIGHUP while the daemon is still starting does not end it: the reload follows the start', async () => {
    const dir = join(sandbox.dir, 'slow-start');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'slow.mjs'),
      `import { DataSink } from 'datalogd';
export class SlowStartDataSink extends DataSink {
  async start() {
    console.log('starting');
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}
`,
    );
    const daemon = new DaemonProcess(
      ['-p', dir, '-g', 'digraph { s [class=SlowStartDataSink]; }'],
      sandbox.env,
    );
    await daemon.waitForStdoutLines(1);
    daemon.child.kill('SIGHUP');
    await daemon.waitForStderr(/Received SIGHUP while starting/);
    await daemon.waitForStderr(/reload: kept 1, restarted 0, added 0, removed 0/);
    assert.equal(await daemon.stop('SIGTERM'), 0);
  });

  test('an uncaught exception is a counted runtime event and the daemon keeps running', async () => {
    const dir = join(sandbox.dir, 'throwing');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'thrower.mjs'),
      `import { DataSource } from 'datalogd';
export class ThrowerDataSource extends DataSource {
  start() {
    this.timer = setInterval(() => { throw new Error('tick went wrong'); }, 50);
    Promise.reject(new Error('nobody waits for me'));
  }
  close() { clearInterval(this.timer); return super.close(); }
}
`,
    );
    const daemon = new DaemonProcess(
      ['-p', dir, '-g', 'digraph { t [class=ThrowerDataSource]; }'],
      sandbox.env,
    );
    await daemon.waitForStderr(/\[DATALOGD_ERR_UNCAUGHT\] uncaught exception .*tick went wrong/);
    await daemon.waitForStderr(
      /\[DATALOGD_ERR_UNCAUGHT\] unhandled rejection .*nobody waits for me/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await daemon.stop('SIGTERM'), 0);
    const uncaught = statsOf(daemon, 'datalogd').uncaught_errors ?? 0;
    assert.ok(uncaught >= 20, `about 30 faults in 1.5 s are all counted: ${uncaught}`);
    const logged = daemon.stderrLines.filter((l) => l.includes('[DATALOGD_ERR_UNCAUGHT]')).length;
    assert.ok(logged <= 11, `rate-limited: ${logged} lines for ${uncaught} faults`);
  });
});
