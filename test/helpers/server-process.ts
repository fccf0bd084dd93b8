import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { requirePeer } from '../../scripts/test-peers.mjs';
import { trackChild } from './daemon.js';
import { waitUntil } from './wait.js';

/** A port that was free a moment ago (the OS picked it); servers that need a number use it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** A child process stopped by pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A server program the tests start on loopback with its data in a temporary directory, and
 * stop by process id: the part influxd and VictoriaMetrics have in common.
 */
export abstract class ServerProcess {
  readonly dir: string;
  readonly #ownsDir: boolean;
  #child: ChildProcess | undefined;
  #stderr = '';

  protected constructor(dir: string, ownsDir: boolean) {
    this.dir = dir;
    this.#ownsDir = ownsDir;
  }

  abstract get url(): string;

  /** Starts the server (unless it runs already) and resolves once it answers. */
  abstract start(): Promise<void>;

  /**
   * Starts a server that `prepare` made; one that does not come up is cleaned up before the
   * error goes on, since the caller never gets hold of it to clean it up itself.
   */
  protected static async startPrepared<T extends ServerProcess>(server: T): Promise<T> {
    try {
      await server.start();
    } catch (err) {
      await server.cleanup();
      throw err;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    );
  }

  /** SIGTERM, then SIGKILL after a bound. */
  async stop(): Promise<void> {
    if (this.#child !== undefined) await stopChild(this.#child);
  }

  /** SIGKILL at once: the crash case. */
  async kill(): Promise<void> {
    if (this.#child !== undefined) await stopChild(this.#child, 'SIGKILL');
  }

  /** Stops the server and removes its directory (if it made it). */
  async cleanup(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts `command` unless it runs already, and waits until `ready()` holds. A command that
   * is not installed throws at once, naming its Debian package (scripts/test-peers.mjs).
   */
  protected async launch(
    command: string,
    args: readonly string[],
    ready: () => Promise<boolean>,
    what: string,
  ): Promise<void> {
    if (this.running) return;
    this.#stderr = '';
    const child = spawn(requirePeer(command), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChild(child);
    this.#child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    await waitUntil(
      async () => {
        if (!this.running) throw new Error(`${command} exited: ${this.#stderr}`);
        return ready();
      },
      what,
      { timeoutMs: 30_000, intervalMs: 50, detail: () => this.#stderr },
    );
  }
}
