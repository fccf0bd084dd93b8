import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { trackChild } from './daemon.js';
import { freePort, ServerProcess } from './server-process.js';
import { sleep, waitUntil } from './wait.js';

/** PostgreSQL refuses to run as root; the tests run its programs as this user. */
const PG_USER = 'postgres';

/**
 * A PostgreSQL server program: from PATH when it is there, else from Debian's versioned
 * directory (the postgresql package does not put initdb and postgres on PATH).
 */
export function pgProgram(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found on PATH or in ${root}/*/bin: install postgresql`);
}

/** Runs a command as the postgres user and resolves with its exit code and output. */
function runAsPostgres(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', PG_USER, '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

/** Process ids whose parent is `pid` (a postmaster's backends), from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${PG_USER}:`));
  const [, , uid = '', gid = ''] = line?.split(':') ?? [];
  if (uid === '') throw new Error(`no ${PG_USER} user: install postgresql (see .ci/run)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A real PostgreSQL 15 on 127.0.0.1: `initdb` into a temporary directory, a port from the
 * free-port helper, its socket directory inside the temporary directory, run as the
 * postgres user through `runuser`. Stopped by the postmaster's process id (from
 * postmaster.pid: `runuser` is only its parent): SIGINT for a clean (fast) shutdown,
 * SIGKILL for a crash. `cleanup()` removes everything.
 */
export class PostgresServer extends ServerProcess {
  readonly port: number;

  private constructor(port: number, dir: string) {
    super(dir, true);
    this.port = port;
  }

  /** A new cluster, not started (for "server down at start"). */
  static async prepare(): Promise<PostgresServer> {
    const dir = await mkdtemp(join(tmpdir(), 'datalogd-postgres-'));
    const { uid, gid } = await postgresIds();
    await chown(dir, uid, gid);
    await mkdir(join(dir, 'sock'));
    await chown(join(dir, 'sock'), uid, gid);
    const server = new PostgresServer(await freePort(), dir);
    const init = await runAsPostgres([
      pgProgram('initdb'),
      '-D',
      server.dataDir,
      '-A',
      'trust',
      '-U',
      PG_USER,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    if (init.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`initdb failed (${init.code}): ${init.output}`);
    }
    return server;
  }

  static async start(): Promise<PostgresServer> {
    const server = await PostgresServer.prepare();
    try {
      await server.start();
    } catch (err) {
      await server.cleanup();
      throw err;
    }
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgresql://${PG_USER}@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Starts the server and waits until it answers a query. After a SIGKILL the old
   * backends may hold the shared memory for a moment; the start is tried again then.
   */
  async start(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.launch(
          'runuser',
          [
            '-u',
            PG_USER,
            '--',
            pgProgram('postgres'),
            '-D',
            this.dataDir,
            '-p',
            String(this.port),
            '-k',
            join(this.dir, 'sock'),
            '-c',
            'listen_addresses=127.0.0.1',
            '-c',
            'fsync=off',
            '-c',
            'log_min_messages=warning',
          ],
          () => this.#answers(),
          `postgres on port ${this.port}`,
        );
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  }

  /** The postmaster's process id, from its lock file; undefined when it is not running. */
  async postmasterPid(): Promise<number | undefined> {
    try {
      const text = await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8');
      const pid = Number(text.split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** A clean, fast shutdown (SIGINT to the postmaster: clients are disconnected). */
  override async stop(): Promise<void> {
    await this.#signal('SIGINT');
  }

  /** The crash case: SIGKILL to the postmaster and every backend, as a machine crash would. */
  override async kill(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** Runs one statement on a fresh connection and returns its rows. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async #answers(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    const pid = await this.postmasterPid();
    if (pid !== undefined) {
      const victims = signal === 'SIGKILL' ? [pid, ...(await childrenOf(pid))] : [pid];
      for (const victim of victims) {
        try {
          process.kill(victim, signal);
        } catch {
          // gone already
        }
      }
    }
    try {
      await waitUntil(() => !this.running, `postgres (pid ${pid}) to exit after ${signal}`, {
        timeoutMs: 15_000,
      });
    } catch (err) {
      // Never leave it running: the parent and the postmaster go for good.
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      await super.kill();
      throw err;
    }
  }
}
