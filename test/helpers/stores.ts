import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, trackChild, type DaemonProcess } from './daemon.js';
import { Peer } from './peers.js';

/** A record as PrintDataSink prints it after TimeStampDataFilter (timestamp as ISO text). */
export interface PrintedRecord {
  readonly type: string;
  readonly id: string;
  readonly value: number;
  readonly timestamp: string;
}

/** Every record the daemon printed (PrintDataSink's JSON lines), in order. */
export function printedRecords(daemon: DaemonProcess): PrintedRecord[] {
  return daemon.stdoutLines
    .filter((line) => line.startsWith('['))
    .flatMap((line) => JSON.parse(line) as PrintedRecord[]);
}

/** `id@epoch-µs=value` for each printed record: what a stored row must match exactly. */
export function printedKeys(daemon: DaemonProcess): string[] {
  return printedRecords(daemon).map((r) => `${r.id}@${Date.parse(r.timestamp) * 1000}=${r.value}`);
}

/** The `name: counters` line the daemon logs for a node when it stops. */
export function statsOf(daemon: DaemonProcess, node: string): Record<string, number> {
  const line = new RegExp(`\\[datalogd\\] ${node}: (.*)$`, 'm').exec(daemon.stderr)?.[1] ?? '';
  const stats: Record<string, number> = {};
  for (const pair of line.split(' ')) {
    const [key, value] = pair.split('=');
    if (key !== undefined && value !== undefined) stats[key] = Number(value);
  }
  return stats;
}

/** Runs a program to completion; rejects with its output when it exits non-zero. */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited ${code}: ${stderr}${stdout}`));
    });
    // A program that reads no input may exit before its stdin is written: not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

const SQLITE_PEER = join(REPO_ROOT, 'test', 'helpers', 'sqlite_peer.py');

/** A row of `records` as Python's sqlite3 module reads it. */
export interface PythonRow {
  readonly time: string;
  readonly time_us: number;
  readonly run: string;
  readonly run_no: number;
  readonly seq: number;
  readonly receipt: number;
  readonly stamped: number;
  readonly type: string | null;
  readonly id: string | null;
  readonly value: number | null;
  readonly units: string | null;
  readonly extra: string | null;
}

/** Every row of a store, read by Python's sqlite3 module (read-only, while it is written). */
export async function pythonRead(
  file: string,
): Promise<{ records: PythonRow[]; runs: { run_no: number; run: string }[] }> {
  return JSON.parse(await run('python3', [SQLITE_PEER, 'read', file])) as {
    records: PythonRow[];
    runs: { run_no: number; run: string }[];
  };
}

/** A Python process holding the store's write lock for `seconds`; resolves once it holds it. */
export async function pythonLock(file: string, seconds: number): Promise<Peer> {
  const peer = new Peer('python3', [SQLITE_PEER, 'lock', file, String(seconds)]);
  await peer.waitForLines(1);
  return peer;
}

/** `id@epoch-µs=value` of stored rows, as `printedKeys` writes printed records. */
export function rowKeys(rows: readonly PythonRow[]): string[] {
  return rows.map((r) => `${r.id}@${r.time_us}=${r.value}`);
}
