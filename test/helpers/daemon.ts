import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'datalogd.js');

const liveChildren = new Set<ChildProcess>();

/**
 * Remembers a spawned process until it exits, so that a test which throws before its own
 * clean-up cannot leave a daemon or peer running (and its file hanging until the timeout).
 */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export function killLeftoverChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

/** A scratch directory and an environment whose XDG locations point inside it. */
export interface Sandbox {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'datalogd-test-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Passed on so that what a daemon puts in the temporary directory lands where the test
    // run looks for leftovers (scripts/run-tests.mjs).
    TMPDIR: process.env.TMPDIR,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config-home'),
    XDG_CONFIG_DIRS: join(dir, 'config-site'),
  };
  return {
    dir,
    env,
    cleanup: async () => {
      killLeftoverChildren();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A running `datalogd` process whose output is collected line by line. */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<number | null>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string = REPO_ROOT) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(this.child);
    collectLines(this.child.stdout, this.stdoutLines, () => {
      this.#wake();
    });
    collectLines(this.child.stderr, this.stderrLines, () => {
      this.#wake();
    });
    this.exited = new Promise((resolve) => {
      // 'close' rather than 'exit': it comes after the output streams have ended.
      this.child.on('close', (code) => {
        this.#wake();
        resolve(code);
      });
    });
  }

  get stdout(): string {
    return this.stdoutLines.join('\n');
  }

  get stderr(): string {
    return this.stderrLines.join('\n');
  }

  /** Resolves once `predicate` holds; rejects with the output so far after `timeoutMs`. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return waitUntil(predicate, what, {
      timeoutMs,
      intervalMs: 50,
      detail: () => `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`,
      wake: (resume) => {
        this.#waiters.add(resume);
        return () => this.#waiters.delete(resume);
      },
    });
  }

  waitForStdoutLines(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.stdoutLines.length >= count, `${count} stdout lines`, timeoutMs);
  }

  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => pattern.test(this.stderr), `stderr matching ${pattern}`, timeoutMs);
  }

  /** Sends `signal` and resolves with the exit code; kills the process if it hangs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #wake(): void {
    for (const resume of [...this.#waiters]) resume();
  }
}

function collectLines(
  stream: NodeJS.ReadableStream | null,
  into: string[],
  onLine: () => void,
): void {
  if (stream === null) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts);
    onLine();
  });
  stream.on('end', () => {
    if (partial !== '') into.push(partial);
    onLine();
  });
}

/** Runs `datalogd` to completion (for commands that are expected to exit by themselves). */
export async function runDaemon(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = new DaemonProcess(args, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await proc.exited;
    return { code, stdout: proc.stdout, stderr: proc.stderr };
  } finally {
    clearTimeout(timer);
  }
}
