import { z } from 'zod';
import type { Dialect } from './line-protocol.js';
import {
  envNameOption,
  optionalTextOption,
  secretOption,
  textOption,
  writeOptionsShape,
} from './options.js';
import type { MappingOptions } from './point.js';
import { resolveSecret, type Secret } from './secret.js';
import { InfluxSinkBase } from './sink-base.js';
import { defaultRunId } from './time.js';
import { InfluxV1Transport } from './transport-v1.js';
import type { LineTransport } from './transport.js';

const schema = z.object({
  host: z
    .string()
    .min(1)
    .default('localhost')
    .describe('InfluxDB 1.x server host name or address.'),
  port: z.number().int().min(1).max(65535).default(8086).describe('InfluxDB 1.x HTTP port.'),
  ssl: z.boolean().default(false).describe('Use HTTPS.'),
  user: textOption('root').describe('User name (ignored by a server without authentication).'),
  password: secretOption('root').describe(
    'Password; never logged. Prefer password_env, which keeps it out of the config file.',
  ),
  password_env: envNameOption.describe(
    'Name of an environment variable holding the password; overrides password.',
  ),
  dbname: textOption('datalogd').describe('Database; created at start when it does not exist.'),
  session: textOption('default').describe('Measurement name.'),
  run: optionalTextOption().describe(
    'Value of the `run` tag on every point; null: the start time, YYYYMMDD-HHMMSS (local).',
  ),
  ...writeOptionsShape,
});

export type InfluxDBOptions = z.output<typeof schema>;

/** InfluxDB 1.x through its HTTP `/write` API, batched and buffered across outages. */
export class InfluxDBDataSink extends InfluxSinkBase {
  static readonly description =
    'Writes each record as one point to InfluxDB 1.x (HTTP /write): measurement `session`, tag `run`, one field per record (key from name, label, <type>_<id>, type), the other scalar keys as tags, time from `timestamp`. Points are batched and, while the server is down, kept in a bounded buffer and retried with backoff; see docs/influxdb.md.';
  static readonly optionsSchema = schema;

  protected readonly dialect: Dialect = '1.x';
  readonly #options: InfluxDBOptions;
  readonly #password: Secret;

  constructor(options: InfluxDBOptions) {
    super(options);
    this.#options = options;
    this.#password = resolveSecret(options.password, options.password_env, 'password_env');
  }

  protected createTransport(): LineTransport {
    const o = this.#options;
    return new InfluxV1Transport({
      host: o.host,
      port: o.port,
      ssl: o.ssl,
      user: o.user,
      password: this.#password.reveal(),
      database: o.dbname,
      timeoutMs: o.timeout * 1000,
    });
  }

  protected createMapping(): MappingOptions {
    const o = this.#options;
    return {
      measurement: o.session,
      runTag: 'run',
      runId: o.run ?? defaultRunId(new Date()),
      fieldKey: o.field_key,
      fieldValue: o.field_value,
    };
  }
}
