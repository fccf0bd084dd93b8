// Serial throughput: the fake board (test/helpers/fake-board.py) writes measurement lines at
// SERIAL_BENCH_RATE per second for SERIAL_BENCH_SECONDS into a socat pty pair; the reader is
// either `datalogd` (SerialDataSource -> NullDataSink) or, as the baseline, a bare Node
// script reading the same port with serialport's ReadlineParser and JSON.parse. Reported:
// lines per second sustained and the reader's CPU share (utime + stime from /proc).
// A pty ignores the baud rate; a real 115200-baud line carries about 40 such lines a second.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, sleep } from './lib.mjs';

const RATE = Number(process.env.SERIAL_BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.SERIAL_BENCH_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'dist', 'cli', 'main.js');
const fakeBoard = join(repo, 'test', 'helpers', 'fake-board.py');
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const BASELINE = `
import { SerialPort, ReadlineParser } from 'serialport';
const port = new SerialPort({ path: process.argv[1], baudRate: 115200 });
const lines = port.pipe(new ReadlineParser({ delimiter: '\\r\\n' }));
let measurements = 0;
lines.on('data', (line) => {
  try {
    if (JSON.parse(line).message === 'measurement') measurements += 1;
  } catch {}
});
port.on('open', () => console.log('ready'));
process.on('SIGTERM', () => {
  console.log('measurements=' + measurements);
  process.exit(0);
});
`;

function cpuTicks(pid) {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

function collect(child) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (c) => (out.stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c) => (out.stderr += c));
  return out;
}

async function until(predicate, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', resolve));
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** One run: returns { linesPerSecond, cpuPercent, received, written }. */
async function runOnce(kind, dir) {
  const board = join(dir, `${kind}-board`);
  const host = join(dir, `${kind}-host`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${host}`], {
    stdio: 'ignore',
  });
  const children = [socat];
  try {
    await until(() => existsSync(board) && existsSync(host), 'socat links');
    let reader;
    let out;
    if (kind === 'datalogd') {
      // A long probe timeout: the daemon waits on the open port for the board's first line.
      const graph = `digraph { b [class=SerialDataSource, port="${host}", probe_timeout=60]; n [class=NullDataSink]; b -> n; }`;
      reader = spawn(process.execPath, [cli, '-g', graph], {
        env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir, XDG_CONFIG_DIRS: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(reader);
      out = collect(reader);
      await until(() => out.stderr.includes('Starting event loop'), 'datalogd to start');
      await sleep(300);
    } else {
      reader = spawn(process.execPath, ['--input-type=module', '-e', BASELINE, host], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(reader);
      out = collect(reader);
      await until(() => out.stdout.includes('ready'), 'the baseline reader to open the port');
    }
    const ticksBefore = cpuTicks(reader.pid);
    const started = process.hrtime.bigint();
    const fake = spawn(
      'python3',
      [
        fakeBoard,
        '--port',
        board,
        '--rate',
        String(RATE),
        '--duration',
        String(SECONDS),
        '--keepalive',
        '1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(fake);
    const fakeOut = collect(fake);
    await exited(fake);
    await sleep(500); // let the reader drain what is still in the pty
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ticks = cpuTicks(reader.pid) - ticksBefore;
    await stop(reader);
    const written = Number(/wrote (\d+) measurements/.exec(fakeOut.stderr)?.[1] ?? NaN);
    const received = Number(
      /measurements=(\d+)/.exec(kind === 'datalogd' ? out.stderr : out.stdout)?.[1] ?? NaN,
    );
    return {
      linesPerSecond: received / SECONDS,
      cpuPercent: (100 * ticks) / ticksPerSecond / seconds,
      received,
      written,
    };
  } finally {
    for (const child of children.reverse()) await stop(child);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'datalogd-bench-serial-'));
const results = { datalogd: [], baseline: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    // Alternate so that machine noise falls on both sides alike.
    results.baseline.push(await runOnce('baseline', dir));
    results.datalogd.push(await runOnce('datalogd', dir));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function summary(runs) {
  return {
    linesPerSecond: median(runs.map((r) => r.linesPerSecond)),
    cpuPercent: median(runs.map((r) => r.cpuPercent)),
    lost: Math.max(...runs.map((r) => r.written - r.received)),
    written: median(runs.map((r) => r.written)),
  };
}
const d = summary(results.datalogd);
const b = summary(results.baseline);
console.log(
  `serial: fake board at ${RATE} lines/s for ${SECONDS} s over a pty, median of ${RUNS} runs`,
);
console.log(
  `  datalogd SerialDataSource -> NullDataSink: ${fmt(d.linesPerSecond)} lines/s sustained, CPU ${fmt(d.cpuPercent)} %, lost ${d.lost} of ${d.written}`,
);
console.log(
  `  baseline serialport+ReadlineParser+JSON  : ${fmt(b.linesPerSecond)} lines/s, CPU ${fmt(b.cpuPercent)} %, lost ${b.lost} of ${b.written}`,
);
console.log(`  CPU ratio datalogd/baseline: ${fmt(d.cpuPercent / b.cpuPercent, 2)}x`);
console.log(
  `  runs datalogd CPU %: ${results.datalogd.map((r) => fmt(r.cpuPercent)).join(', ')}; baseline: ${results.baseline.map((r) => fmt(r.cpuPercent)).join(', ')}`,
);
