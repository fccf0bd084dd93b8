import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

/** The counters the daemon logs for `node` when it stops (`node: a=1 b=2`), zeros left out. */
function stopCounters(stderr: string, node: string): Record<string, number> {
  const line = new RegExp(`\\[datalogd\\] ${node}: (.*)$`, 'm').exec(stderr)?.[1] ?? '';
  return Object.fromEntries(
    line
      .split(' ')
      .filter((pair) => pair.includes('='))
      .map((pair) => {
        const [key = '', value = ''] = pair.split('=');
        return [key, Number(value)];
      }),
  );
}

/** `data.1.csv`, `data.2.csv`, ..., then `data.csv`: the order the files were written in. */
async function seriesInOrder(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const numbered = names
    .filter((n) => /^data\.\d+\.csv$/.test(n))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  assert.deepEqual(
    names.filter((n) => n !== 'data.csv' && !numbered.includes(n)),
    [],
    'only files of the series',
  );
  return [...numbered, 'data.csv'];
}

const HEADER = '# heartbeat\n';
const ROTATE_BYTES = 2000;

/**
 * The heartbeat counts of every file in order; asserts on the way that each file starts
 * with the header, is within the size (no record of this graph is larger), and holds whole
 * lines only.
 */
async function countsInFiles(dir: string, files: readonly string[]): Promise<number[]> {
  const counts: number[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith(HEADER), `${name} starts with the header`);
    assert.ok(text.endsWith('\n'), `${name} ends with a whole line`);
    assert.ok((await stat(file)).size <= ROTATE_BYTES, `${name} within rotate_bytes`);
    for (const line of text.slice(HEADER.length).split('\n').slice(0, -1)) {
      const [record] = JSON.parse(line) as [{ id: string; value: number }];
      assert.equal(record.id, 'heartbeat', line);
      counts.push(record.value);
    }
  }
  return counts;
}

test('a file sink rotates at rotate_bytes in the real daemon: every record in exactly one file, none cut, the oldest deleted beyond rotate_keep', async () => {
  const all = join(sandbox.dir, 'all');
  const kept = join(sandbox.dir, 'kept');
  await mkdir(all);
  await mkdir(kept);
  // Two sinks on the same numbered beats: one keeps every file, one the newest two.
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.004];
    all [class=FileDataSink, filename="${join(all, 'data.csv')}", header="'# heartbeat\\n'", rotate_bytes=${ROTATE_BYTES}, flush_interval=0.05];
    kept [class=FileDataSink, filename="${join(kept, 'data.csv')}", header="'# heartbeat\\n'", rotate_bytes=${ROTATE_BYTES}, rotate_keep=2, flush_interval=0.05];
    beat -> all; beat -> kept;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  await waitUntil(async () => (await readdir(all)).includes('data.6.csv'), 'six rotated files', {
    timeoutMs: 30_000,
    detail: () => daemon.stderr,
  });
  assert.equal(await daemon.stop(), 0, daemon.stderr);

  const allFiles = await seriesInOrder(all);
  const counts = await countsInFiles(all, allFiles);
  const stats = stopCounters(daemon.stderr, 'all');
  assert.ok(counts.length > 0);
  assert.deepEqual(
    counts,
    Array.from({ length: counts.length }, (_, i) => i + 1),
    'the beats 1..N, each once, in order',
  );
  assert.equal(stats.records_written, counts.length, daemon.stderr);
  assert.equal(stats.records_received, counts.length, 'nothing dropped or left behind');
  assert.equal(stats.files_rotated, allFiles.length - 1);
  assert.equal(stats.records_dropped, undefined);
  assert.equal(stats.rotation_errors, undefined);

  const keptFiles = await seriesInOrder(kept);
  const keptStats = stopCounters(daemon.stderr, 'kept');
  const rotated = keptStats.files_rotated ?? 0;
  assert.equal(keptFiles.length, 3, `two rotated files and the open one: ${keptFiles.join(', ')}`);
  assert.deepEqual(
    keptFiles.slice(0, 2),
    [`data.${rotated - 1}.csv`, `data.${rotated}.csv`],
    'the newest numbers',
  );
  const keptCounts = await countsInFiles(kept, keptFiles);
  const first = keptCounts[0] ?? 0;
  assert.ok(first > 1, 'the oldest files are gone');
  assert.deepEqual(
    keptCounts,
    Array.from({ length: keptCounts.length }, (_, i) => first + i),
    'the newest beats, each once, up to the last',
  );
  assert.equal(keptCounts.at(-1), keptStats.records_written);
  assert.equal(keptStats.records_received, keptStats.records_written);
  assert.match(daemon.stderr, /INFO \[kept\] .*data\.\d+\.csv is complete; writing .*data\.csv/);
});
