import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI, DaemonProcess, makeSandbox, trackChild, type Sandbox } from '../helpers/daemon.js';
import { printingServer, serverPort } from '../helpers/peers.js';
import { sleep, waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

/** Resident memory of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

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

function sendRaw(port: number, bytes: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end(bytes, () => {
        resolve();
      });
    });
    socket.once('error', reject);
  });
}

// Stalled output. Before the bound, this daemon grew linearly, about 7 MB/s: 104 MB after
// 5 s and 177 MB after 15 s, where the same daemon with its output read stays at 73 MB.
// With the bound it levels off at about 90 MB within 3 s and stays there.
const STALL_SECONDS = 9;
const STALLED_RSS_LIMIT_MB = 110;
/** Most the RSS may grow over the second half of the stall, once the bounds are full. */
const STALLED_RSS_GROWTH_LIMIT_MB = 10;

test('stdout and stderr that nobody reads: memory stays bounded, drops are counted and said, SIGTERM stops it', async () => {
  // Every millisecond, 100 walkers for stdout (PrintDataSink, about 5 MB/s of JSON) and 10
  // for stderr (LoggingDataSink, 10,000 log lines a second), both into pipes this test does
  // not read at first (a paused stream stops reading once its 64 KiB buffer is full, so the
  // daemon's writes wait just as they do behind a stuck reader).
  const walkers = (n: number): string =>
    JSON.stringify(Array.from({ length: n }, (_, i) => [i, 1]));
  const graph = `digraph {
    w [class=RandomWalkDataSource, interval=0.001, walkers="${walkers(100)}"];
    v [class=RandomWalkDataSource, interval=0.001, walkers="${walkers(10)}"];
    p [class=PrintDataSink];
    l [class=LoggingDataSink, header=""];
    w -> p; v -> l;
  }`;
  const child = spawn(process.execPath, [CLI, '-g', graph], {
    env: sandbox.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pid = child.pid as number;
  let peak = 0;
  let atHalfTime = 0;
  const started = Date.now();
  while (Date.now() - started < STALL_SECONDS * 1000) {
    await sleep(250);
    const rss = rssMb(pid);
    peak = Math.max(peak, rss);
    if (atHalfTime === 0 && Date.now() - started >= (STALL_SECONDS * 1000) / 2) atHalfTime = rss;
  }
  const atEnd = rssMb(pid);
  const figures = `RSS ${atHalfTime.toFixed(1)} MB after ${STALL_SECONDS / 2} s, ${atEnd.toFixed(1)} MB after ${STALL_SECONDS} s, peak ${peak.toFixed(1)} MB`;
  assert.ok(peak < STALLED_RSS_LIMIT_MB, `stdout and stderr unread: ${figures}`);
  assert.ok(
    atEnd - atHalfTime < STALLED_RSS_GROWTH_LIMIT_MB,
    `memory levels off once the bounds are full: ${figures}`,
  );

  // Output flows again: each stream says how much it dropped. stderr first, because the
  // print sink's note goes to the log: said into a stderr still stalled, it would be one
  // more dropped log line. Of the flood only the lines that matter are kept, so that this
  // test reads as fast as it can.
  const notes: string[] = [];
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (/DATALOGD_ERR|\[datalogd\]/.test(line)) notes.push(line);
  });
  const stderrClosed = new Promise((resolve) => child.stderr.once('close', resolve));
  const waitForNote = (pattern: RegExp, what: string): Promise<void> =>
    waitUntil(() => notes.some((line) => pattern.test(line)), what, {
      timeoutMs: 20_000,
      detail: () => notes.slice(-20).join('\n'),
    });
  await waitForNote(
    /\[datalogd\] \[DATALOGD_ERR_LOG_DROPPED\] dropped [1-9]\d* log lines \(\d+ bytes\) while stderr was not read/,
    'the log saying how many of its lines it dropped',
  );
  let lastPrinted = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    lastPrinted = chunk;
  });
  await waitForNote(
    /\[p\] \[DATALOGD_ERR_PRINT_STALLED\] stdout is read again; [1-9]\d* receipts \(\d+ bytes\) were dropped/,
    'the print sink saying how many receipts it dropped',
  );
  await waitUntil(() => lastPrinted.includes('"type":"analog"'), 'printing to go on');

  const stopAt = Date.now();
  child.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(10_000).then(() => 'hung')]);
  assert.equal(code, 0, `exit status after SIGTERM (${Date.now() - stopAt} ms)`);
  await stderrClosed;
  const stderr = notes.join('\n');
  const counters = stopCounters(stderr, 'p');
  assert.ok((counters.dropped_output_stalled ?? 0) > 0, `p: ${JSON.stringify(counters)}`);
  const logDrops = /dropped (\d+) log lines/.exec(stderr);
  assert.ok(Number(logDrops?.[1]) > 0, 'the log counted its own drops');
});

/** Mounts a 64 KiB tmpfs at `dir`; the reason it cannot, or undefined once mounted. */
function mountTinyFilesystem(dir: string): string | undefined {
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (result.error !== undefined) return `mount cannot run: ${result.error.message}`;
  if (result.status !== 0) return `mount -t tmpfs failed: ${result.stderr.trim()}`;
  return undefined;
}

test('a full disk (a real 64 KiB tmpfs): whole records only, records_written == lines in the file', async (t) => {
  // A real full filesystem rather than an injected write: a tmpfs of 64 KiB, which needs
  // root (the unit tests of RecordFile and FileDataSink cover the same logic with an
  // injected write function, everywhere).
  const dir = join(sandbox.dir, 'tiny-disk');
  await mkdir(dir);
  const whyNot = mountTinyFilesystem(dir);
  if (whyNot !== undefined) {
    t.skip(`cannot mount a tmpfs here: ${whyNot}`);
    return;
  }
  try {
    // 16 KiB of other data, removed once the disk is full, as a clean-up would.
    const filler = join(dir, 'filler');
    await writeFile(filler, 'x'.repeat(16 * 1024));
    const file = join(dir, 'out.jsonl');
    const graph = `digraph {
      w [class=RandomWalkDataSource, interval=0.005, walkers="[[0, 1], [5, 1], [9, 1]]"];
      f [class=FileDataSink, filename="${file}", flush_interval=0.2];
      w -> f;
    }`;
    const daemon = new DaemonProcess(['-g', graph], sandbox.env);
    try {
      await daemon.waitFor(
        () =>
          daemon.stderrLines.filter((l) => /DATALOGD_ERR_FILE_WRITE.*ENOSPC/.test(l)).length >= 2,
        'two writes refused by the full disk',
        20_000,
      );
      const sizeWhenFull = (await stat(file)).size;
      await unlink(filler);
      await waitUntil(
        async () => (await stat(file)).size > sizeWhenFull + 2048,
        'writing to resume once space is free',
        { timeoutMs: 10_000 },
      );
    } finally {
      await daemon.stop();
    }
    assert.equal(daemon.child.exitCode, 0, 'exit status after SIGTERM');
    const text = await readFile(file, 'utf8');
    const counters = stopCounters(daemon.stderr, 'f');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a whole record');
    const torn = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(torn, [], 'no torn or glued record');
    assert.ok(
      (counters.records_dropped ?? 0) > 0,
      `the disk was full: ${JSON.stringify(counters)}`,
    );
    assert.equal(lines.length, counters.records_written, 'records_written == lines in the file');
    assert.equal(
      counters.records_received,
      (counters.records_written ?? 0) + (counters.records_dropped ?? 0),
      'every record received is written or counted as dropped',
    );
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('a file removed while running is reported and made anew; a removed directory is waited for', async () => {
  const dir = join(sandbox.dir, 'removals');
  await mkdir(dir);
  const file = join(dir, 'data.csv');
  const graph = `digraph {
    w [class=RandomWalkDataSource, interval=0.02];
    f [class=FileDataSink, filename="${file}", flush_interval=0, header="'# walk\\n'"];
    w -> f;
  }`;
  const lineCount = async (): Promise<number> => {
    try {
      return (await readFile(file, 'utf8')).split('\n').length - 1;
    } catch {
      return 0;
    }
  };
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await waitUntil(async () => (await lineCount()) >= 4, 'records in the file', {
      detail: () => daemon.stderr,
    });
    await unlink(file);
    await daemon.waitForStderr(
      /\[f\] \[DATALOGD_ERR_FILE_REMOVED\] .*data\.csv was removed while open; opening it anew \(1 so far\)/,
    );
    await waitUntil(async () => (await lineCount()) >= 3, 'records in the file made anew');
    assert.equal((await readFile(file, 'utf8')).split('\n')[0], '# walk', 'with its header');

    // Moved away in one step, then deleted: a plain recursive rm races the sink, which may
    // open the file anew between the unlink and the rmdir.
    await rename(dir, `${dir}.gone`);
    await rm(`${dir}.gone`, { recursive: true });
    await daemon.waitForStderr(/DATALOGD_ERR_FILE_REMOVED\].*\(2 so far\)/);
    await daemon.waitForStderr(/\[DATALOGD_ERR_FILE_DROPPED\] .*the file cannot be opened/);
    await mkdir(dir);
    await waitUntil(async () => (await lineCount()) >= 3, 'records once the directory is back');
  } finally {
    await daemon.stop();
  }
  assert.equal(daemon.child.exitCode, 0);
  const counters = stopCounters(daemon.stderr, 'f');
  assert.equal(counters.file_removals, 2);
  assert.ok((counters.records_dropped ?? 0) > 0, JSON.stringify(counters));
});

test('PrintDataSink: a message of 5000 nested lists is counted and skipped, output goes on', async () => {
  const { daemon, port } = await printingServer(sandbox.env);
  try {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    await sendRaw(port, `[1]\x17${deep}\x17[2]\x17${deep}\x17[3]\x17`);
    await daemon.waitForStdoutLines(3);
    await daemon.waitForStderr(/\[p\] \[DATALOGD_ERR_UNENCODABLE\] .*\(2 so far\)/);
  } finally {
    await daemon.stop();
  }
  assert.equal(daemon.child.exitCode, 0, 'exit status after SIGTERM');
  assert.deepEqual(daemon.stdoutLines, ['[1]', '[2]', '[3]']);
  assert.equal(stopCounters(daemon.stderr, 'p').unencodable, 2);
  assert.doesNotMatch(daemon.stderr, /DATALOGD_ERR_PRINT_CLOSED/);
});

test('LoggingDataSink: a socket peer cannot forge log lines with line breaks', async () => {
  const graph = `digraph { s [class=SocketDataFilter, port=0]; l [class=LoggingDataSink]; s -> l; }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const forged = '2026-01-01T00:00:00.000Z ERROR [x] forged';
  try {
    const port = await serverPort(daemon, 's');
    // As raw text (not JSON, passed on as a string) and as a JSON string, with LF, CR,
    // U+2028 and an ESC sequence.
    await sendRaw(
      port,
      `hello\n${forged}\x17` + JSON.stringify(`json\r\n${forged}\u2028\u001b[1A`) + '\x17',
    );
    await daemon.waitForStderr(/\[l\] {3}json/);
  } finally {
    await daemon.stop();
  }
  assert.equal(daemon.child.exitCode, 0, 'exit status after SIGTERM');
  const lines = daemon.stderrLines;
  assert.deepEqual(
    lines.filter((line) => line.includes('forged')).map((line) => line.replace(/^\S+ /, '')),
    [`INFO [l]   hello\\n${forged}`, `INFO [l]   json\\r\\n${forged}\\u2028\\x1b[1A`],
  );
  assert.equal(lines.filter((line) => line.startsWith(forged)).length, 0, 'no forged line');
});

test("CSVDataFilter layout='table' through the daemon: a sensor that drops out leaves an empty cell", async () => {
  const file = join(sandbox.dir, 'table.csv');
  const graph = `digraph {
    s [class=SocketDataFilter, port=0];
    csv [class=CSVDataFilter, layout=table, columns="['analog_a', 'analog_b', 'analog_c']"];
    f [class=FileDataSink, filename="${file}", flush_interval=0];
    s -> csv -> f;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  const reading = (id: string, value: number, timestamp: string): object => ({
    type: 'analog',
    id,
    value,
    timestamp,
  });
  try {
    const port = await serverPort(daemon, 's');
    const receipts = [
      [reading('a', 1, 't1'), reading('b', 2, 't1'), reading('c', 3, 't1')],
      [reading('a', 4, 't2'), reading('c', 6, 't2')],
      [reading('a', 7, 't3'), reading('b', 8, 't3'), reading('x', 0, 't3'), reading('c', 9, 't3')],
    ];
    await sendRaw(port, receipts.map((r) => JSON.stringify(r) + '\x17').join(''));
    await waitUntil(
      async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').length > 4,
      'four lines in the file',
      { detail: () => daemon.stderr },
    );
  } finally {
    await daemon.stop();
  }
  assert.equal(daemon.child.exitCode, 0, 'exit status after SIGTERM');
  assert.equal(
    await readFile(file, 'utf8'),
    'timestamp,analog_a,analog_b,analog_c\nt1,1,2,3\nt2,4,,6\nt3,7,8,9\n',
  );
  assert.match(daemon.stderr, /\[csv\] \[DATALOGD_ERR_CSV_UNDECLARED_COLUMN\] .*"analog_x"/);
  assert.equal(stopCounters(daemon.stderr, 'csv').undeclared_records, 1);
});
