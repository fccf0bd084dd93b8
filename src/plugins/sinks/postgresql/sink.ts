import { access } from 'node:fs/promises';
import { DatalogdError } from '../../../core/errors.js';
import { RecordStoreSink, type RunInfo } from '../../../io/record-store-sink.js';
import { resolveSecret } from '../../options.js';
import { schema, type PostgreSQLOptions } from './options.js';
import { PostgreSQLTransport } from './transport.js';

/** Every record as one row of a PostgreSQL table (a hypertable with TimescaleDB). */
export class PostgreSQLDataSink extends RecordStoreSink<PostgreSQLTransport> {
  static readonly description =
    'Writes each record as one row to PostgreSQL, the same layout as SQLiteDataSink (a TimescaleDB hypertable when the extension is installed). One multi-row INSERT per batch; while the server is down, rows wait in a bounded buffer, are retried with backoff and land once. See docs/stores.md.';
  static readonly optionsSchema = schema;

  /**
   * Checked with the rest of the graph, so that the daemon does not start: password_env
   * must name a variable that is set, and the TLS files must be readable.
   */
  static async validate(options: PostgreSQLOptions, nodeName: string): Promise<DatalogdError[]> {
    const problems: DatalogdError[] = [];
    if (options.password_env !== null) {
      const resolved = resolveSecret(options.password, options.password_env);
      if (typeof resolved === 'string')
        problems.push(optionProblem(nodeName, 'password_env', resolved));
    }
    for (const option of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
      const file = options[option];
      if (file === null) continue;
      try {
        await access(file);
      } catch {
        problems.push(optionProblem(nodeName, option, `names ${file}, which cannot be read`));
      }
    }
    return problems;
  }

  readonly #options: PostgreSQLOptions;

  constructor(options: PostgreSQLOptions) {
    super(options, options.run_id);
    this.#options = options;
  }

  protected override makeTransport(run: RunInfo): PostgreSQLTransport {
    const o = this.#options;
    const secret = resolveSecret(o.password, o.password_env);
    if (typeof secret === 'string') {
      // `validate` reports this before the daemon constructs anything; this is for code
      // that builds the sink itself.
      throw optionProblem(this.nodeName, 'password_env', secret);
    }
    return new PostgreSQLTransport({
      url: o.url,
      password: secret.isEmpty ? null : secret.reveal(),
      schema: o.schema,
      run,
      tls: { sslmode: o.sslmode, sslrootcert: o.sslrootcert, sslcert: o.sslcert, sslkey: o.sslkey },
      timeoutMs: o.timeout * 1000,
    });
  }
}

function optionProblem(nodeName: string, option: string, problem: string): DatalogdError {
  return new DatalogdError(
    'DATALOGD_ERR_OPTION_TYPE',
    `node "${nodeName}": option "${option}" ${problem}`,
    { node: nodeName, option },
  );
}
