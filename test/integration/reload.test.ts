import assert from 'node:assert/strict';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { pyServer } from '../helpers/peers.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

/** Writes a config file whose graph is `graph` (one DOT statement per line). */
async function writeConfig(file: string, graph: string): Promise<void> {
  const body = graph
    .trim()
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n');
  await writeFile(file, `[datalogd]\nconnection_graph =\n  digraph {\n${body}\n  }\n`);
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

/** The heartbeat counter values in a file of `[{"value": N, ...}]` lines (headers skipped). */
async function heartbeats(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file} ends with a complete line`);
  return text
    .split('\n')
    .filter((line) => line.startsWith('['))
    .map((line) => (JSON.parse(line) as { value: number }[])[0]?.value ?? NaN);
}

function assertContiguous(values: readonly number[], from: number, what: string): void {
  const gaps = values.filter((value, i) => value !== from + i);
  assert.deepEqual(
    gaps.slice(0, 5),
    [],
    `${what}: ${values.length} values from ${from}, in order, none missing`,
  );
}

function reloadsLogged(daemon: DaemonProcess): number {
  return daemon.stderrLines.filter((l) => /reload: kept \d+/.test(l)).length;
}

async function reload(daemon: DaemonProcess, timeoutMs = 15_000): Promise<string> {
  const before = reloadsLogged(daemon);
  daemon.child.kill('SIGHUP');
  await daemon.waitFor(() => reloadsLogged(daemon) > before, 'the reload summary', timeoutMs);
  return daemon.stderrLines.filter((l) => /reload: kept \d+/.test(l)).at(-1) ?? '';
}

describe('reload (SIGHUP)', () => {
  test('a socket client node that did not change keeps its TCP connection and loses nothing', async () => {
    const { peer, port } = await pyServer(['--announce']);
    try {
      const config = join(sandbox.dir, 'client.conf');
      const nodes = `h [class=HeartbeatDataSource, interval=0.02];
        c [class=SocketDataFilter, role=client, host="127.0.0.1", port=${port}];
        h -> c;`;
      await writeConfig(config, nodes);
      const daemon = new DaemonProcess(['-c', config], sandbox.env);
      await peer.waitForLines(10);
      await writeConfig(config, `${nodes}\nn [class=NullDataSink];\nh -> n;`);
      const summary = await reload(daemon);
      assert.match(summary, /reload: kept 2, restarted 0, added 1, removed 0 in \d+ ms/);
      const atReload = peer.lines.length;
      await peer.waitForLines(atReload + 20);
      assert.equal(await daemon.stop('SIGTERM'), 0);
      await peer.stop();

      const connects = peer.lines.filter((l) => l.startsWith('CONNECTED'));
      assert.equal(
        connects.length,
        1,
        `one connection, kept through the reload: ${connects.join(', ')}`,
      );
      const values = peer.lines
        .filter((l) => l.startsWith('['))
        .map((l) => (JSON.parse(l) as { value: number }[])[0]?.value ?? NaN);
      assertContiguous(values, 1, 'messages the server got');
      assert.equal(values.length, statsOf(daemon, 'c').messages_out ?? values.length);
    } finally {
      await peer.stop();
    }
  });

  test('a changed file sink is flushed and closed, its new file opened, and nothing is lost between them', async () => {
    const config = join(sandbox.dir, 'file.conf');
    const first = join(sandbox.dir, 'first.txt');
    const second = join(sandbox.dir, 'second.txt');
    const graph = (file: string): string => `h [class=HeartbeatDataSource, interval=0.01];
      f [class=FileDataSink, filename="${file}", flush_interval=60];
      h -> f;`;
    await writeConfig(config, graph(first));
    const daemon = new DaemonProcess(['-c', config], sandbox.env);
    await daemon.waitForStderr(/Starting event loop/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await writeConfig(config, graph(second));
    assert.match(await reload(daemon), /reload: kept 1, restarted 1, added 0, removed 0/);
    // Flushed by the reload: with flush_interval=60 nothing else would have written it yet.
    const firstValues = await heartbeats(first);
    assert.ok(firstValues.length >= 20, `the first file has its rows: ${firstValues.length}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await daemon.stop('SIGTERM'), 0);
    assert.deepEqual(await heartbeats(first), firstValues, 'the first file was closed for good');
    const secondValues = await heartbeats(second);
    assert.ok(secondValues.length >= 20, `the second file has rows: ${secondValues.length}`);
    assertContiguous([...firstValues, ...secondValues], 1, 'both files together');
    assert.equal(statsOf(daemon, 'f').records_written, secondValues.length);
  });

  test('an invalid configuration is refused with its problems at file:line, and the running graph goes on', async () => {
    const config = join(sandbox.dir, 'invalid.conf');
    const good = `h [class=HeartbeatDataSource, interval=0.02];
      p [class=PrintDataSink];
      h -> p;`;
    await writeConfig(config, good);
    const daemon = new DaemonProcess(['-c', config], sandbox.env);
    await daemon.waitForStdoutLines(5);
    // Line 7 of the file: `[datalogd]`, `connection_graph =`, `digraph {`, h, p, h -> p, then this.
    await writeConfig(
      config,
      `${good}\nbad [class=NoSuchDataSink, colour=red];\nh -> bad;\nh -> p2;`,
    );
    daemon.child.kill('SIGHUP');
    await daemon.waitForStderr(
      /\[DATALOGD_ERR_RELOAD_REFUSED\] reload refused; the running graph goes on unchanged/,
    );
    const refused = daemon.stderr.slice(daemon.stderr.indexOf('DATALOGD_ERR_RELOAD_REFUSED'));
    assert.ok(refused.includes(`${config}:7`), `the problem names ${config}:7:\n${refused}`);
    assert.match(refused, /NoSuchDataSink/);
    assert.match(refused, /p2/);
    const atRefusal = daemon.stdoutLines.length;
    await daemon.waitForStdoutLines(atRefusal + 10);

    await writeConfig(config, good.replace('interval=0.02', 'interval=0.03'));
    assert.match(await reload(daemon), /reload: kept 1, restarted 1, added 0, removed 0/);
    assert.equal(await daemon.stop('SIGTERM'), 0);
    assert.equal(statsOf(daemon, 'datalogd').reloads_refused, 1);
    assert.equal(statsOf(daemon, 'datalogd').reloads, 1);
    const values = daemon.stdoutLines.map(
      (l) => (JSON.parse(l) as { value: number }[])[0]?.value ?? NaN,
    );
    // The restarted heartbeat counts from 1 again; until then the old one never paused.
    const restartAt = values.indexOf(1, 1);
    assertContiguous(
      values.slice(0, restartAt === -1 ? undefined : restartAt),
      1,
      'before the restart',
    );
  });

  test('20 reloads in a row while records flow lose nothing that unchanged nodes carry, and nothing held for a restarting one', async () => {
    const config = join(sandbox.dir, 'many.conf');
    const kept = join(sandbox.dir, 'kept.txt');
    const restarted = join(sandbox.dir, 'restarted.txt');
    const graph = (round: number): string => `h [class=HeartbeatDataSource, interval=0.005];
      f [class=FileDataSink, filename="${kept}"];
      r [class=FileDataSink, filename="${restarted}", mode=a, header="'# round ${round}\\n'"];
      x [class=HeartbeatDataSource, interval=${10 + round}];
      h -> f; h -> r;`;
    await writeConfig(config, graph(0));
    const daemon = new DaemonProcess(['-c', config], sandbox.env);
    await daemon.waitForStderr(/Starting event loop/);
    const started = Date.now();
    for (let round = 1; round <= 20; round++) {
      // Records flow between reloads, and during them.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writeConfig(config, graph(round));
      assert.match(await reload(daemon), /reload: kept 2, restarted 2, added 0, removed 0/);
    }
    const elapsed = Date.now() - started;
    assert.equal(await daemon.stop('SIGTERM'), 0);

    const keptValues = await heartbeats(kept);
    const fileStats = statsOf(daemon, 'f');
    assert.ok(keptValues.length >= 200, `records flowed: ${keptValues.length}`);
    assertContiguous(keptValues, 1, 'the unchanged file sink');
    assert.equal(keptValues.length, fileStats.records_received);
    const restartedText = await readFile(restarted, 'utf8');
    assert.equal(restartedText.split('\n').filter((l) => l.startsWith('# round')).length, 21);
    assertContiguous(await heartbeats(restarted), 1, 'the sink restarted 20 times');
    assert.equal(statsOf(daemon, 'datalogd').reloads, 20);
    assert.ok(elapsed < 60_000, `20 reloads took ${elapsed} ms`);
  });

  test('a plugin file changed on disk is read again and its nodes restart', async () => {
    const dir = join(sandbox.dir, 'tag-plugins');
    await mkdir(dir, { recursive: true });
    const plugin = (tag: string): string => `import { DataFilter } from 'datalogd';
export class TagDataFilter extends DataFilter {
  receive(data) { this.send(data.map((r) => ({ ...r, tag: '${tag}' }))); }
}
`;
    await writeFile(join(dir, 'tag.mjs'), plugin('v1'));
    const config = join(sandbox.dir, 'plugin.conf');
    await writeConfig(
      config,
      `h [class=HeartbeatDataSource, interval=0.02];
      t [class=TagDataFilter];
      p [class=PrintDataSink];
      h -> t -> p;`,
    );
    const daemon = new DaemonProcess(['-c', config, '-p', dir], sandbox.env);
    await daemon.waitForStdoutLines(3);
    await writeFile(join(dir, 'tag.mjs'), plugin('v2'));
    assert.match(await reload(daemon), /reload: kept 2, restarted 1, added 0, removed 0/);
    const atReload = daemon.stdoutLines.length;
    await daemon.waitForStdoutLines(atReload + 5);
    assert.equal(await daemon.stop('SIGTERM'), 0);
    const tags = daemon.stdoutLines.map((l) => (JSON.parse(l) as { tag: string }[])[0]?.tag);
    assert.equal(tags[0], 'v1');
    assert.equal(tags.at(-1), 'v2');
  });
});

describe('--watch-config', () => {
  test('an editor saving the config file (write a new file, rename it over the old) reloads it', async () => {
    const dir = join(sandbox.dir, 'watched');
    await mkdir(dir, { recursive: true });
    const config = join(dir, 'watched.conf');
    const graph = (
      interval: number,
    ): string => `h [class=HeartbeatDataSource, interval=${interval}];
      p [class=PrintDataSink];
      h -> p;`;
    await writeConfig(config, graph(0.05));
    const daemon = new DaemonProcess(['-c', config, '--watch-config'], sandbox.env);
    await daemon.waitForStdoutLines(2);
    const temporary = join(dir, '.watched.conf.swp');
    await writeConfig(temporary, graph(0.02));
    await rename(temporary, config);
    await daemon.waitForStderr(/--watch-config: .*watched\.conf changed: reloading/);
    await daemon.waitForStderr(/reload: kept 1, restarted 1, added 0, removed 0/);
    assert.equal(reloadsLogged(daemon), 1, 'one reload for the whole save');
    assert.equal(await daemon.stop('SIGTERM'), 0);
  });
});
