import { envName, ordered, path, secret, seconds, text, textOrNull, z } from '../../options.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const schema = z
  .object({
    url: textOrNull()
      .refine((v) => v === null || /^postgres(ql)?:\/\//.test(v), {
        message: 'must be a postgresql:// or postgres:// URL',
      })
      .describe(
        'Server and database, e.g. postgresql://datalogd@db.lab:5432/lab; null: the PGHOST, PGPORT, PGUSER, PGDATABASE (and PGPASSWORD) environment variables, as psql reads them.',
      ),
    password: secret('').describe(
      'Password; never logged. Prefer password_env, which keeps it out of the config file.',
    ),
    password_env: envName().describe(
      'Name of an environment variable holding the password; overrides password and the URL.',
    ),
    schema: text('public')
      .refine((v) => IDENTIFIER.test(v), {
        message: 'must be a plain identifier (letters, digits, _; not starting with a digit)',
      })
      .describe(
        'PostgreSQL schema holding the tables records, runs and schema_version (created when missing).',
      ),
    run_id: textOrNull().describe(
      'Label of this daemon start in the `run` column; null: the start time, YYYYMMDD-HHMMSS (local).',
    ),
    sslmode: z
      .enum(['disable', 'require', 'verify-ca', 'verify-full'])
      .nullable()
      .default(null)
      .describe(
        "TLS, as libpq names it: 'disable', 'require' (encrypted, server not verified), 'verify-ca', 'verify-full' (certificate and host name); null: what the URL says, else no TLS.",
      ),
    sslrootcert: path()
      .nullable()
      .default(null)
      .describe('File of CA certificates (PEM) the server certificate must chain to.'),
    sslcert: path()
      .nullable()
      .default(null)
      .describe('Client certificate (PEM), for certificate login.'),
    sslkey: path().nullable().default(null).describe('Private key (PEM) of sslcert.'),
    batch_size: z
      .number()
      .int()
      .min(1)
      .max(50_000)
      .default(1000)
      .describe('Records per INSERT at most; a full batch is sent at once.'),
    flush_interval: seconds(1).describe('Seconds a record waits at most for its batch to fill.'),
    buffer_records: z
      .number()
      .int()
      .min(1)
      .default(100_000)
      .describe(
        'Records kept while the server is down or failing; beyond that the oldest are dropped and counted.',
      ),
    buffer_bytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024)
      .describe('Bytes of buffered records at most, the same way (whichever limit comes first).'),
    timeout: seconds(10).describe(
      'Seconds a connection attempt or an INSERT may take before it is abandoned and retried.',
    ),
    retry_min: seconds(0.25).describe(
      'Seconds before the first retry; the pause doubles per failure, with jitter.',
    ),
    retry_max: seconds(5).describe('Seconds between retries at most.'),
    close_timeout: seconds(5, { min: 0 }).describe(
      'Seconds close() spends writing what is buffered; what is left is counted as unsent.',
    ),
  })
  .superRefine(ordered('retry_min', 'retry_max'))
  .superRefine((o, ctx) => {
    const files = (['sslrootcert', 'sslcert', 'sslkey'] as const).filter((k) => o[k] !== null);
    for (const option of files) {
      if (o.sslmode === null || o.sslmode === 'disable') {
        ctx.addIssue({
          code: 'custom',
          path: [option],
          message: "needs sslmode 'require', 'verify-ca' or 'verify-full'",
        });
      }
    }
    if ((o.sslcert === null) !== (o.sslkey === null)) {
      ctx.addIssue({
        code: 'custom',
        path: [o.sslcert === null ? 'sslcert' : 'sslkey'],
        message: 'sslcert and sslkey go together',
      });
    }
  });

export type PostgreSQLOptions = z.output<typeof schema>;
