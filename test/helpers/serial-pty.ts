// Real pseudo-terminal pairs (socat) and a fake logging board (test/helpers/fake-board.py)
// for the serial tests. Not a test file itself; the serial*.test.ts files import it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../../scripts/test-peers.mjs';
import { REPO_ROOT, trackChild } from './daemon.js';
import { waitUntil } from './wait.js';

const FAKE_BOARD = join(REPO_ROOT, 'test', 'helpers', 'fake-board.py');

/** Waits for `predicate` (checked every 20 ms); rejects after `timeoutMs`. */
export function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return waitUntil(predicate, what, { timeoutMs });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
}

async function terminate(child: ChildProcess, timeoutMs = 5000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Two linked ptys under stable names: the board writes one end, the daemon opens the other. */
export class PtyPair {
  readonly boardPath: string;
  readonly hostPath: string;
  readonly #socat: ChildProcess;

  private constructor(socat: ChildProcess, boardPath: string, hostPath: string) {
    this.#socat = socat;
    this.boardPath = boardPath;
    this.hostPath = hostPath;
  }

  static async start(dir: string, board = 'board', host = 'host'): Promise<PtyPair> {
    const boardPath = join(dir, board);
    const hostPath = join(dir, host);
    const socat = spawn(
      requirePeer('socat'),
      [`pty,raw,echo=0,link=${boardPath}`, `pty,raw,echo=0,link=${hostPath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    trackChild(socat);
    let stderr = '';
    socat.stderr.setEncoding('utf8');
    socat.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const pair = new PtyPair(socat, boardPath, hostPath);
    try {
      await waitUntil(() => existsSync(boardPath) && existsSync(hostPath), 'socat pty links', {
        timeoutMs: 5000,
        detail: () => `socat ${socat.exitCode === null ? 'is running' : 'exited'}: ${stderr}`,
      });
    } catch (err) {
      await pair.stop();
      throw err;
    }
    return pair;
  }

  /** Stops socat; it removes both links, as unplugging removes /dev/ttyACM0. */
  async stop(): Promise<void> {
    await terminate(this.#socat);
    await until(
      () => !existsSync(this.boardPath) && !existsSync(this.hostPath),
      'socat to remove its links',
    );
  }
}

export interface FakeBoardOptions {
  readonly port: string;
  readonly board?: string;
  readonly rate?: number;
  readonly start?: number;
  readonly keepalive?: number;
  readonly duration?: number;
  readonly count?: number;
}

/** The Python fake board, writing until stopped (or its duration or count runs out). */
export class FakeBoard {
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(options: FakeBoardOptions) {
    const args = [FAKE_BOARD, '--port', options.port];
    if (options.board !== undefined) args.push('--board', options.board);
    if (options.rate !== undefined) args.push('--rate', String(options.rate));
    if (options.start !== undefined) args.push('--start', String(options.start));
    if (options.keepalive !== undefined) args.push('--keepalive', String(options.keepalive));
    if (options.duration !== undefined) args.push('--duration', String(options.duration));
    if (options.count !== undefined) args.push('--count', String(options.count));
    this.#child = spawn(requirePeer('python3'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChild(this.#child);
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Asks for one line that is not JSON, written at once (SIGUSR1). */
  sendGarbage(): void {
    this.#child.kill('SIGUSR1');
  }

  async stop(): Promise<number | null> {
    return terminate(this.#child);
  }

  finished(): Promise<number | null> {
    return exited(this.#child);
  }
}

/** A `/dev` and `/sys/class/tty` shaped like a machine with an Arduino Uno and an FTDI cable. */
export interface TtyTree {
  readonly devDir: string;
  readonly sysClassTty: string;
}

/**
 * Builds the tree under `root`. `/dev/ttyACM0` is a symlink to `acmTarget` (a pty end, so the
 * port can really be opened) or an empty file. The USB attributes are those the kernel shows
 * for the real devices; ttyS0 has a "platform" device and must be hidden, ttyS4 is a real
 * (pnp) port without USB details.
 */
export async function buildTtyTree(root: string, acmTarget?: string): Promise<TtyTree> {
  const devDir = join(root, 'dev');
  const sys = join(root, 'sys');
  const sysClassTty = join(sys, 'class', 'tty');
  const usb = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', '1-1');
  await mkdir(devDir, { recursive: true });
  await mkdir(sysClassTty, { recursive: true });
  if (acmTarget === undefined) await writeFile(join(devDir, 'ttyACM0'), '');
  else await symlink(acmTarget, join(devDir, 'ttyACM0'));
  for (const name of ['ttyUSB0', 'ttyS0', 'ttyS4', 'tty0', 'null', 'ttyACM']) {
    await writeFile(join(devDir, name), '');
  }

  const device = async (tty: string, dir: string, subsystem: string): Promise<void> => {
    await mkdir(dir, { recursive: true });
    await symlink(join(sys, 'bus', subsystem), join(dir, 'subsystem'));
    await mkdir(join(sysClassTty, tty), { recursive: true });
    await symlink(dir, join(sysClassTty, tty, 'device'));
  };
  const attributes = async (dir: string, attrs: Record<string, string>): Promise<void> => {
    for (const [name, value] of Object.entries(attrs))
      await writeFile(join(dir, name), `${value}\n`);
  };

  await device('ttyACM0', join(usb, '1-1.2', '1-1.2:1.0'), 'usb');
  await attributes(join(usb, '1-1.2'), {
    idVendor: '2341',
    idProduct: '0043',
    serial: '85735313233351F0E1A1',
    manufacturer: 'Arduino (www.arduino.cc)',
    product: 'Arduino Uno',
    bNumInterfaces: ' 2',
  });
  await device('ttyUSB0', join(usb, '1-1.3', '1-1.3:1.0', 'ttyUSB0'), 'usb-serial');
  await attributes(join(usb, '1-1.3'), {
    idVendor: '0403',
    idProduct: '6001',
    serial: 'A50285BI',
    manufacturer: 'FTDI',
    product: 'FT232R USB UART',
    bNumInterfaces: ' 1',
  });
  await device('ttyS0', join(sys, 'devices', 'platform', 'serial8250'), 'platform');
  await device('ttyS4', join(sys, 'devices', 'pnp0', '00:05'), 'pnp');
  return { devDir, sysClassTty };
}
