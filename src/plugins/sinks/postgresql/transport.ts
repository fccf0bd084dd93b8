import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import { WriteFailure, type BatchTransport } from '../../../io/batch-writer.js';
import type { RecordRow } from '../../../io/record-table.js';
import type { RunInfo } from '../../../io/record-store-sink.js';
import {
  createSchemaStatement,
  createStatements,
  CURRENT_VERSION,
  HYPERTABLE_PRESENT,
  hypertableStatement,
  insertParameters,
  insertStatement,
  lockStatement,
  registerRunStatement,
  SCHEMA_EXISTS,
  tableExistsQuery,
  tablesIn,
  versionQuery,
} from './sql.js';

export interface TlsSettings {
  readonly sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full' | null;
  readonly sslrootcert: string | null;
  readonly sslcert: string | null;
  readonly sslkey: string | null;
}

export interface PostgreSQLTransportOptions {
  /** null: the PG* environment variables. */
  readonly url: string | null;
  /** null: the URL's, PGPASSWORD or ~/.pgpass, as pg finds it. */
  readonly password: string | null;
  readonly schema: string;
  readonly run: RunInfo;
  readonly tls: TlsSettings;
  readonly timeoutMs: number;
}

/** A server condition that passes (it restarts, it is overloaded, a deadlock): try again. */
const TRANSIENT = /^(08|53|57P|58|40)/;
/** The server will not let this user in or at the database: may change without a restart. */
const DENIED = /^(28|3D000|42501)/;
/** The rows themselves are at fault (a value out of range): retrying cannot help. */
const REFUSED = /^(22|23|54)/;

/**
 * Writes batches of rows into PostgreSQL through one connection (`pg`), one multi-row
 * INSERT per batch. `prepare` connects, creates the tables when missing (under an advisory
 * lock) and registers the run; any failure closes the connection and the writer prepares
 * again before it retries. A batch whose reply was lost (the server died after COMMIT) is
 * sent again and adds nothing: each row has a unique key.
 */
export class PostgreSQLTransport implements BatchTransport<RecordRow> {
  readonly target: string;
  readonly #options: PostgreSQLTransportOptions;
  readonly #insert: string;
  #client: pg.Client | undefined;
  #runNo: string | undefined;

  constructor(options: PostgreSQLTransportOptions) {
    this.#options = options;
    this.#insert = insertStatement(options.schema);
    // pg resolves the URL and the PG* variables without I/O; only the names are shown.
    const params = new pg.Client(this.#baseConfig());
    const where = params.host.startsWith('/') ? `socket ${params.host}` : params.host;
    this.target = `postgresql://${params.user ?? ''}@${where}:${params.port}/${params.database ?? ''} (schema ${options.schema})`;
  }

  async prepare(signal: AbortSignal): Promise<void> {
    this.#disconnect();
    const client = new pg.Client({ ...this.#baseConfig(), ssl: await this.#ssl() });
    // pg lets a URL's (absent) password override the `password` option; set it afterwards.
    if (this.#options.password !== null) client.password = this.#options.password;
    // A connection that dies while idle emits 'error'; the next write notices and reconnects.
    client.on('error', () => {
      if (this.#client === client) this.#client = undefined;
    });
    this.#client = client;
    const abort = (): void => {
      void client.end().catch(() => undefined);
    };
    signal.addEventListener('abort', abort);
    try {
      await client.connect();
      await this.#createTables(client);
      const r = this.#options.run;
      const { rows } = await client.query<{ run_no: string }>(
        registerRunStatement(this.#options.schema),
        [r.run, r.startedUs, r.host, r.pid, r.startKey],
      );
      const runNo = rows[0]?.run_no;
      if (runNo === undefined) throw new Error('the run was not registered');
      this.#runNo = runNo;
    } catch (err) {
      this.#disconnect();
      // Connecting must succeed before anything is written: whatever went wrong (a login
      // refused, a database missing), it is retried with backoff.
      const failure = classify(err);
      throw failure.kind === 'unavailable'
        ? failure
        : new WriteFailure(failure.message, {
            kind: 'unavailable',
            needsPrepare: true,
            cause: err,
          });
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async write(batch: readonly RecordRow[], signal: AbortSignal): Promise<void> {
    const client = this.#client;
    const runNo = this.#runNo;
    if (client === undefined || runNo === undefined) {
      throw new WriteFailure('not connected', { kind: 'unavailable', needsPrepare: true });
    }
    const abort = (): void => {
      // A hung INSERT: drop the connection; the batch is retried on a new one.
      void client.end().catch(() => undefined);
    };
    signal.addEventListener('abort', abort);
    try {
      await client.query(this.#insert, insertParameters(this.#options.run.run, runNo, batch));
    } catch (err) {
      this.#disconnect();
      throw classify(err);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  close(): void {
    this.#disconnect();
  }

  async #createTables(client: pg.Client): Promise<void> {
    const schema = this.#options.schema;
    const tables = tablesIn(schema);
    await client.query('BEGIN');
    try {
      await client.query(lockStatement(schema));
      const present = await client.query<{ present: boolean }>(tableExistsQuery(), [
        tables.schemaVersion,
      ]);
      let found = 0;
      if (present.rows[0]?.present === true) {
        const version = await client.query<{ version: number | null }>(versionQuery(schema));
        found = version.rows[0]?.version ?? 0;
      }
      if (found > CURRENT_VERSION) {
        throw new WriteFailure(
          `the tables in schema ${schema} have layout version ${found}, written by a newer datalogd; this one knows version ${CURRENT_VERSION} and leaves them alone`,
          { kind: 'unavailable', needsPrepare: true },
        );
      }
      if (found < CURRENT_VERSION) {
        if ((await client.query(SCHEMA_EXISTS, [schema])).rowCount === 0) {
          await client.query(createSchemaStatement(schema));
        }
        for (const statement of createStatements(schema)) await client.query(statement);
        if ((await client.query(HYPERTABLE_PRESENT)).rowCount !== 0) {
          await client.query(hypertableStatement(schema));
        }
        await client.query(
          `INSERT INTO ${tables.schemaVersion} (version, applied_by) VALUES ($1, $2)`,
          [CURRENT_VERSION, `datalogd on ${this.#options.run.host} pid ${process.pid}`],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  #baseConfig(): pg.ClientConfig {
    const o = this.#options;
    const config: pg.ClientConfig = {
      application_name: 'datalogd',
      connectionTimeoutMillis: o.timeoutMs,
      keepAlive: true,
    };
    if (o.url !== null) config.connectionString = o.url;
    return config;
  }

  /** The TLS settings of the options; undefined leaves it to the URL or PGSSLMODE. */
  async #ssl(): Promise<boolean | ConnectionOptions | undefined> {
    const tls = this.#options.tls;
    if (tls.sslmode === null) return undefined;
    if (tls.sslmode === 'disable') return false;
    const options: ConnectionOptions = { rejectUnauthorized: tls.sslmode !== 'require' };
    if (tls.sslrootcert !== null) options.ca = await readFile(tls.sslrootcert, 'utf8');
    if (tls.sslcert !== null) options.cert = await readFile(tls.sslcert, 'utf8');
    if (tls.sslkey !== null) options.key = await readFile(tls.sslkey, 'utf8');
    if (tls.sslmode === 'verify-ca') options.checkServerIdentity = () => undefined;
    return options;
  }

  #disconnect(): void {
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) void client.end().catch(() => undefined);
  }
}

/** What a failure means for the batch; every failure reconnects before the next try. */
export function classify(err: unknown): WriteFailure {
  if (err instanceof WriteFailure) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const text = errorMessage(err);
  const detail = typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
  if (sqlState !== undefined && REFUSED.test(sqlState)) {
    return new WriteFailure(detail, { kind: 'refused', cause: err });
  }
  if (sqlState !== undefined && DENIED.test(sqlState)) {
    return new WriteFailure(detail, { kind: 'denied', needsPrepare: true, cause: err });
  }
  if (sqlState === undefined || TRANSIENT.test(sqlState)) {
    return new WriteFailure(detail === '' ? 'connection failed' : detail, {
      kind: 'unavailable',
      needsPrepare: true,
      cause: err,
    });
  }
  // Anything else from the server (a table dropped under us): set up again and retry.
  return new WriteFailure(detail, { kind: 'unavailable', needsPrepare: true, cause: err });
}
