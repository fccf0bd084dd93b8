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
import { InfluxV2Transport } from './transport-v2.js';
import type { LineTransport } from './transport.js';

const schema = z.object({
  url: z
    .url({ protocol: /^https?$/ })
    .default('http://localhost:8086')
    .describe('InfluxDB 2.x server URL (any server with the /api/v2/write endpoint).'),
  token: secretOption('').describe(
    'API token; never logged. Prefer token_env, which keeps it out of the config file.',
  ),
  token_env: envNameOption.describe(
    'Name of an environment variable holding the token; overrides token.',
  ),
  org: textOption('default').describe('Organisation name or id.'),
  bucket: textOption('default').describe('Bucket name.'),
  measurement: textOption('measurement').describe('Measurement name.'),
  run_id: optionalTextOption().describe(
    'Value of the `run_id` tag on every point; null: the start time, YYYYMMDD-HHMMSS (local).',
  ),
  ...writeOptionsShape,
});

export type InfluxDB2Options = z.output<typeof schema>;

/** InfluxDB 2.x through the official client's transport, batched and buffered across outages. */
export class InfluxDB2DataSink extends InfluxSinkBase {
  static readonly description =
    'Writes each record as one point to InfluxDB 2.x (/api/v2/write, official client): measurement `measurement`, tag `run_id`, one field per record (key from field_key, name, label, <type>_<id>, type), the other scalar keys as tags, time from `timestamp`. Points are batched and, while the server is down, kept in a bounded buffer and retried with backoff; see docs/influxdb.md.';
  static readonly optionsSchema = schema;

  protected readonly dialect: Dialect = '2.x';
  readonly #options: InfluxDB2Options;
  readonly #token: Secret;

  constructor(options: InfluxDB2Options) {
    super(options);
    this.#options = options;
    this.#token = resolveSecret(options.token, options.token_env, 'token_env');
  }

  protected createTransport(): LineTransport {
    const o = this.#options;
    return new InfluxV2Transport({
      url: o.url,
      token: this.#token.reveal(),
      org: o.org,
      bucket: o.bucket,
      timeoutMs: o.timeout * 1000,
    });
  }

  protected createMapping(): MappingOptions {
    const o = this.#options;
    return {
      measurement: o.measurement,
      runTag: 'run_id',
      runId: o.run_id ?? defaultRunId(new Date()),
      fieldKey: o.field_key,
      fieldValue: o.field_value,
    };
  }
}
