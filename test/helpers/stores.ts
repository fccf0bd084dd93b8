import { spawn } from 'node:child_process';
import type { DaemonProcess } from './daemon.js';
import { trackChild } from './daemon.js';

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
  const line = new RegExp(`\\b${node}: (.*)$`, 'm').exec(daemon.stderr)?.[1] ?? '';
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
    child.stdin.end(options.input ?? '');
  });
}
