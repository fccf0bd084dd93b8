import { envName, flag, port, secret, text, textOrNull, z } from '../../options.js';
import { retryRange, writeOptionsShape } from './options.js';
import { describeSink, InfluxSink, type InfluxVersion } from './sink.js';
import { InfluxV1Transport } from './transport-v1.js';

const schema = z
  .object({
    host: z
      .string()
      .min(1)
      .default('localhost')
      .describe('InfluxDB 1.x server host name or address.'),
    port: port(8086)
      .refine((value) => value !== 0, 'must be the port the server listens on, not 0')
      .describe('InfluxDB 1.x HTTP port.'),
    ssl: flag(false).describe('Use HTTPS.'),
    user: text('root').describe('User name (ignored by a server without authentication).'),
    password: secret('root').describe(
      'Password; never logged. Prefer password_env, which keeps it out of the config file.',
    ),
    password_env: envName().describe(
      'Name of an environment variable holding the password; overrides password.',
    ),
    dbname: text('datalogd').describe('Database; created at start when it does not exist.'),
    session: text('default').describe('Measurement name.'),
    run: textOrNull().describe(
      'Value of the `run` tag on every point; null: the start time, YYYYMMDD-HHMMSS (local).',
    ),
    ...writeOptionsShape,
  })
  .superRefine(retryRange);

export type InfluxDBOptions = z.output<typeof schema>;

/** 1.x: `/write` and `/query` (CREATE DATABASE), Basic credentials, measurement `session`. */
const V1: InfluxVersion<InfluxDBOptions> = {
  dialect: '1.x',
  secretOption: 'password',
  secret: (o) => ({ inline: o.password, envName: o.password_env }),
  transport: (o, password) =>
    new InfluxV1Transport({
      host: o.host,
      port: o.port,
      ssl: o.ssl,
      user: o.user,
      password: password.reveal(),
      database: o.dbname,
      timeoutMs: o.timeout * 1000,
    }),
  mapping: (o) => ({ measurement: o.session, runTag: 'run', runId: o.run }),
};

/** InfluxDB 1.x through its HTTP `/write` API, batched and buffered across outages. */
export class InfluxDBDataSink extends InfluxSink<InfluxDBOptions> {
  static readonly description = describeSink('InfluxDB 1.x (HTTP /write)', 'session', 'run');
  static readonly optionsSchema = schema;

  constructor(options: InfluxDBOptions = schema.parse({})) {
    super(V1, options);
  }
}
