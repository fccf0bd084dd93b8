import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { requirePeer } from '../../scripts/test-peers.mjs';
import { DaemonProcess, REPO_ROOT, trackChild } from './daemon.js';
import { waitUntil } from './wait.js';
export { freePort } from './server-process.js';

const PY_PEER = join(REPO_ROOT, 'test', 'helpers', 'py_peer.py');

/** The port a daemon's SocketDataFilter server node bound, read from its log. */
export async function serverPort(daemon: DaemonProcess, node: string): Promise<number> {
  const pattern = new RegExp(`\\[${node}\\] Server started on \\S+:(\\d+)`);
  await daemon.waitForStderr(pattern);
  const match = pattern.exec(daemon.stderr);
  return Number(match?.[1]);
}

/** A daemon whose server node `s` prints everything it receives, one JSON line per message. */
export async function printingServer(
  env: NodeJS.ProcessEnv,
  attributes = '',
): Promise<{ daemon: DaemonProcess; port: number }> {
  const graph = `digraph { s [class=SocketDataFilter, port=0${attributes}]; p [class=PrintDataSink]; s -> p; }`;
  const daemon = new DaemonProcess(['-g', graph], env);
  return { daemon, port: await serverPort(daemon, 's') };
}

/**
 * A running external peer (python3 or socat) with its stdout collected as lines. A program
 * that is not installed throws at once, naming its Debian package (scripts/test-peers.mjs).
 */
export class Peer {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly #raw: Buffer[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';

  constructor(command: string, args: readonly string[], input?: Buffer) {
    this.child = spawn(requirePeer(command), args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    trackChild(this.child);
    let partial = '';
    const text = new StringDecoder('utf8');
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.#raw.push(chunk);
      const parts = (partial + text.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    if (input !== undefined) this.child.stdin?.end(input);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code) => {
        if (partial !== '') this.lines.push(partial);
        resolve(code);
      });
    });
  }

  /** Everything the peer wrote to stdout, as bytes. */
  get output(): Buffer {
    return Buffer.concat(this.#raw);
  }

  get stderr(): string {
    return this.#stderr;
  }

  waitForLines(count: number, timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => this.lines.length >= count, `${count} lines from the peer`, {
      timeoutMs,
      detail: () =>
        `peer printed ${this.lines.length} of ${count} lines:\n${this.lines.join('\n')}\n${this.#stderr}`,
    });
  }

  /** Waits for the peer to exit by itself, killing it after `timeoutMs`. */
  async finished(timeoutMs = 10_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.finished(3000);
  }
}

export function pyPeer(args: readonly string[]): Peer {
  return new Peer('python3', [PY_PEER, ...args]);
}

/** A python peer in serve mode, once it has told us its port. */
export async function pyServer(
  args: readonly string[] = [],
): Promise<{ peer: Peer; port: number }> {
  const peer = pyPeer(['serve', ...args]);
  await peer.waitForLines(1);
  const port = Number(/^PORT (\d+)$/.exec(peer.lines[0] ?? '')?.[1]);
  peer.lines.shift();
  return { peer, port };
}

/** socat writing `input` to a TCP port, then closing. */
export function socatSend(port: number, input: Buffer): Peer {
  return new Peer('socat', ['-u', '-', `TCP:127.0.0.1:${port}`], input);
}

/** socat reading a TCP port to stdout (raw bytes, decoded as latin1 by the caller if needed). */
export function socatRead(port: number): Peer {
  return new Peer('socat', ['-u', `TCP:127.0.0.1:${port}`, '-']);
}
