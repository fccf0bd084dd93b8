import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess } from './server-process.js';
import { waitUntil as waitFor } from './wait.js';

export { freePort, stopChild } from './server-process.js';

/**
 * wait.ts's `waitUntil` with the positional arguments the InfluxDB tests were written with;
 * remove it once they import `waitUntil` from './wait.js' themselves.
 */
export function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
  detail?: () => string,
): Promise<void> {
  return waitFor(check, what, {
    timeoutMs,
    intervalMs: 50,
    ...(detail === undefined ? {} : { detail }),
  });
}

export interface InfluxdOptions {
  /** Reuse these ports (a restart must keep them); fresh free ports otherwise. */
  readonly httpPort?: number;
  readonly bindPort?: number;
  /** Reuse this data directory (restart); a new temporary one otherwise. */
  readonly dir?: string;
  readonly authEnabled?: boolean;
}

/** A real InfluxDB 1.x (`influxd`) on 127.0.0.1, with its config and data in a temp dir. */
export class InfluxdServer extends ServerProcess {
  readonly httpPort: number;
  readonly bindPort: number;
  readonly #authEnabled: boolean;

  private constructor(
    httpPort: number,
    bindPort: number,
    dir: string,
    auth: boolean,
    owns: boolean,
  ) {
    super(dir, owns);
    this.httpPort = httpPort;
    this.bindPort = bindPort;
    this.#authEnabled = auth;
  }

  /** Allocates ports and a directory without starting (for "server down at start" tests). */
  static async prepare(options: InfluxdOptions = {}): Promise<InfluxdServer> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'datalogd-influxd-')));
    const server = new InfluxdServer(
      options.httpPort ?? (await freePort()),
      options.bindPort ?? (await freePort()),
      dir,
      options.authEnabled ?? false,
      options.dir === undefined,
    );
    await writeFile(join(dir, 'influxdb.conf'), server.#config());
    return server;
  }

  static async start(options: InfluxdOptions = {}): Promise<InfluxdServer> {
    return ServerProcess.startPrepared(await InfluxdServer.prepare(options));
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Starts influxd and waits until `/ping` answers 204. */
  override async start(): Promise<void> {
    await this.launch(
      'influxd',
      ['-config', join(this.dir, 'influxdb.conf')],
      async () => (await ping(this.url)) === 204,
      `influxd on port ${this.httpPort}`,
    );
  }

  /**
   * An InfluxQL query through the HTTP API; POST so that DDL works too. Times come back as
   * integers in `epoch` units (ns would not survive JSON numbers).
   */
  async query(
    q: string,
    db?: string,
    options: { epoch?: 'ms' | 'u'; user?: string; password?: string } = {},
  ): Promise<QueryReply> {
    const params = new URLSearchParams({ q, epoch: options.epoch ?? 'ms' });
    if (db !== undefined) params.set('db', db);
    const headers: Record<string, string> = {};
    if (options.user !== undefined) {
      const credentials = `${options.user}:${options.password ?? ''}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const response = await fetch(`${this.url}/query`, { method: 'POST', body: params, headers });
    const reply = (await response.json()) as QueryReply;
    if (reply.error !== undefined) throw new Error(`query ${q}: ${reply.error}`);
    const inner = reply.results?.find((r) => r.error !== undefined);
    if (inner?.error !== undefined) throw new Error(`query ${q}: ${inner.error}`);
    return reply;
  }

  /** Rows of every series of a `SELECT`, as objects keyed by column, tags included. */
  async select(
    q: string,
    db: string,
    options: { epoch?: 'ms' | 'u'; user?: string; password?: string } = {},
  ): Promise<Record<string, unknown>[]> {
    const reply = await this.query(q, db, options);
    const rows: Record<string, unknown>[] = [];
    for (const result of reply.results ?? []) {
      for (const series of result.series ?? []) {
        for (const values of series.values ?? []) {
          const row: Record<string, unknown> = { _measurement: series.name, ...series.tags };
          series.columns.forEach((column, i) => {
            row[column] = values[i];
          });
          rows.push(row);
        }
      }
    }
    return rows;
  }

  #config(): string {
    const d = (name: string): string => JSON.stringify(join(this.dir, name));
    return [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${this.bindPort}"`,
      '[meta]',
      `  dir = ${d('meta')}`,
      '  logging-enabled = false',
      '[data]',
      `  dir = ${d('data')}`,
      `  wal-dir = ${d('wal')}`,
      '  query-log-enabled = false',
      '  wal-fsync-delay = "0s"',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${this.httpPort}"`,
      `  auth-enabled = ${this.#authEnabled}`,
      '  log-enabled = false',
      '[logging]',
      '  level = "warn"',
      '  suppress-logo = true',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n');
  }
}

export interface QueryReply {
  readonly error?: string;
  readonly results?: readonly {
    readonly error?: string;
    readonly series?: readonly {
      readonly name: string;
      readonly tags?: Readonly<Record<string, string>>;
      readonly columns: readonly string[];
      readonly values?: readonly (readonly unknown[])[];
    }[];
  }[];
}

/** The status of `GET /ping`, or 0 when nothing answers. */
export function ping(url: string, path = '/ping'): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(`${url}${path}`, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => {
      resolve(0);
    });
    request.on('timeout', () => {
      request.destroy();
      resolve(0);
    });
  });
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A stand-in InfluxDB HTTP endpoint on 127.0.0.1 (port 0) that records every request and
 * answers with the status the test sets (204 by default, JSON error bodies otherwise).
 */
export class FakeInfluxServer {
  readonly requests: RecordedRequest[] = [];
  /** Decides the reply to each request; 204 with no body by default. */
  reply: (request: RecordedRequest) => { status: number; body?: string } = () => ({ status: 204 });
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeInfluxServer> {
    const server = http.createServer();
    const fake = new FakeInfluxServer(server);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      req.on('end', () => {
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        fake.requests.push(recorded);
        const { status, body } = fake.reply(recorded);
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests to a path (without query), in order. */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}

/**
 * Writes `FixtureDataSource` into `dir`: a user plugin that sends the records of a JSON file
 * once, at start, then idles until closed (a daemon with nothing left to do would exit).
 * `{"$date": "..."}` values become `Date` objects, as TimeStampDataFilter would make them.
 */
export async function writeFixturePlugin(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'fixture.mjs'),
    `import { readFileSync } from 'node:fs';
import { DataSource } from 'datalogd';

export class FixtureDataSource extends DataSource {
  constructor(options = {}) {
    super();
    this.file = options.file;
  }
  start() {
    const revive = (_key, value) =>
      value !== null && typeof value === 'object' && '$date' in value ? new Date(value.$date) : value;
    this.send(JSON.parse(readFileSync(this.file, 'utf8'), revive));
    this.keepAlive = setInterval(() => {}, 60_000);
  }
  onClose() {
    clearInterval(this.keepAlive);
  }
}
`,
  );
}
