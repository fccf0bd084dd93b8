import { envName, secret, text, textOrNull, z } from '../../options.js';
import { retryRange, writeOptionsShape } from './options.js';
import { describeSink, InfluxSink, type InfluxVersion } from './sink.js';
import { InfluxV2Transport } from './transport-v2.js';

const schema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .default('http://localhost:8086')
      .describe('InfluxDB 2.x server URL (any server with the /api/v2/write endpoint).'),
    token: secret('').describe(
      'API token; never logged. Prefer token_env, which keeps it out of the config file.',
    ),
    token_env: envName().describe(
      'Name of an environment variable holding the token; overrides token.',
    ),
    org: text('default').describe('Organisation name or id.'),
    bucket: text('default').describe('Bucket name.'),
    measurement: text('measurement').describe('Measurement name.'),
    run_id: textOrNull().describe(
      'Value of the `run_id` tag on every point; null: the start time, YYYYMMDD-HHMMSS (local).',
    ),
    ...writeOptionsShape,
  })
  .superRefine(retryRange);

export type InfluxDB2Options = z.output<typeof schema>;

/** 2.x: `/api/v2/write` with org and bucket, a token, measurement `measurement`. */
const V2: InfluxVersion<InfluxDB2Options> = {
  dialect: '2.x',
  secretOption: 'token',
  secret: (o) => ({ inline: o.token, envName: o.token_env }),
  transport: (o, token) =>
    new InfluxV2Transport({
      url: o.url,
      token: token.reveal(),
      org: o.org,
      bucket: o.bucket,
      timeoutMs: o.timeout * 1000,
    }),
  mapping: (o) => ({ measurement: o.measurement, runTag: 'run_id', runId: o.run_id }),
};

/** InfluxDB 2.x (and servers with its write API), batched and buffered across outages. */
export class InfluxDB2DataSink extends InfluxSink<InfluxDB2Options> {
  static readonly description = describeSink(
    'InfluxDB 2.x (/api/v2/write)',
    'measurement',
    'run_id',
  );
  static readonly optionsSchema = schema;

  constructor(options: InfluxDB2Options = schema.parse({})) {
    super(V2, options);
  }
}
