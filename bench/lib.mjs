// Shared helpers for the benchmarks: medians, child processes, RSS readings.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Starts a command and resolves with the ms until its first stdout line, then kills it. */
export function timeToFirstLine(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} printed nothing in 20 s`));
    }, 20_000);
    child.stdout.once('data', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(ms);
    });
    child.on('error', reject);
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** A loopback port that was free a moment ago, for a server that must be told its port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A TCP server on 127.0.0.1 and a free port, once it listens. */
export function listen(onConnection) {
  return new Promise((resolve) => {
    const server = net.createServer(onConnection).listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Waits until something accepts connections on `port` on 127.0.0.1; gives up after
 * `timeoutMs`, or at once when `child` (the process that should listen) has exited.
 */
export async function waitForPort(port, { child, timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (child === undefined || child.exitCode === null)) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on ${port}`);
}

/**
 * How long to wait after a datalogd socket client has connected before producing: the
 * client writes into a new connection only once it has lasted 250 ms (KEPT_AFTER_MS in
 * src/plugins/filters/socket/client.ts; a server that refuses closes at once). A bench
 * measures the relay, not that settling time (or the queue overflowing during it).
 */
export const CLIENT_SETTLE_MS = 300;

export function clientSettled() {
  return sleep(CLIENT_SETTLE_MS);
}

/**
 * Feeds a store sink `receipts` receipts (`receiptAt(r)` gives one), a turn of the event
 * loop after every 100 as a live source would leave the writer, closes it and returns
 * records/s; throws unless it wrote all `records`.
 */
export async function timeStoreSink(sink, receipts, receiptAt, records) {
  sink.nodeName = 'bench';
  const started = process.hrtime.bigint();
  sink.start();
  for (let r = 0; r < receipts; r++) {
    sink.receive(receiptAt(r));
    if (r % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await sink.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { records_written: written } = sink.stats();
  if (written !== records) throw new Error(`the sink wrote ${written} of ${records}`);
  return records / seconds;
}
