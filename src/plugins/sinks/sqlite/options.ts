import { parseDuration } from '../../../io/duration.js';
import { ordered, path, seconds, textOrNull, z } from '../../options.js';

/** A duration option ("30d", "12h"), as seconds; null: not set. */
export function duration(what: string) {
  return z
    .string()
    .nullable()
    .default(null)
    .transform((text, ctx) => {
      if (text === null) return null;
      const value = parseDuration(text);
      if (value === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration such as "30d", "12h", "90m" or "45s" (${what})`,
        });
        return z.NEVER;
      }
      return value;
    });
}

export const schema = z
  .object({
    filename: path().describe(
      'Path of the SQLite database file (created with its tables when missing); relative paths start from the working directory.',
    ),
    run_id: textOrNull().describe(
      'Label of this daemon start in the `run` column; null: the start time, YYYYMMDD-HHMMSS (local).',
    ),
    keep: duration('rows older than this are deleted').describe(
      'Delete rows whose time is older than this ("30d", "12h"), in small batches in the background; null: keep everything.',
    ),
    batch_size: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('Records per transaction at most; a full batch is written at once.'),
    flush_interval: seconds(1).describe(
      'Seconds a record waits at most for its transaction (how far readers lag behind).',
    ),
    buffer_records: z
      .number()
      .int()
      .min(1)
      .default(100_000)
      .describe(
        'Records kept while the database cannot be written (locked, disk full, directory gone); beyond that the oldest are dropped and counted.',
      ),
    buffer_bytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024)
      .describe('Bytes of buffered records at most, the same way (whichever limit comes first).'),
    busy_timeout: seconds(0.1, { min: 0, max: 5 }).describe(
      'Seconds a write waits for a lock another connection holds before it fails and is retried later (the daemon waits meanwhile, so keep it short).',
    ),
    synchronous: z
      .enum(['off', 'normal', 'full'])
      .default('normal')
      .describe(
        "SQLite's synchronous setting: 'normal' survives a crash of the daemon, 'full' also a power cut, 'off' neither.",
      ),
    retry_min: seconds(0.25).describe(
      'Seconds before the first retry; the pause doubles per failure, with jitter.',
    ),
    retry_max: seconds(5).describe('Seconds between retries at most.'),
    close_timeout: seconds(5, { min: 0 }).describe(
      'Seconds close() spends writing what is buffered; what is left is counted as unsent.',
    ),
  })
  .superRefine(ordered('retry_min', 'retry_max'));

export type SQLiteOptions = z.output<typeof schema>;
