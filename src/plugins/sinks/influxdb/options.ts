import { ordered, seconds, textOrNull, z } from '../../options.js';

/** Batching, buffering and retry options, the same for both InfluxDB sinks. */
export const writeOptionsShape = {
  field_key: textOrNull().describe(
    'Record key whose value names the field; when absent: name, label, <type>_<id>, type, "data".',
  ),
  field_value: textOrNull().describe(
    'Record key holding the field value; when absent from a record: value.',
  ),
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe('Points per write request at most; a full batch is sent at once.'),
  flush_interval: seconds(1).describe('Seconds a point waits at most for its batch to fill.'),
  buffer_points: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe(
      'Points kept while the server is down or failing; beyond that the oldest are dropped and counted.',
    ),
  buffer_bytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024)
    .describe('Bytes of line protocol kept at most, the same way (whichever limit comes first).'),
  timeout: seconds(10).describe(
    'Seconds a write request may take before it is abandoned and retried.',
  ),
  retry_min: seconds(0.25).describe(
    'Seconds before the first retry; the pause doubles per failure, with jitter.',
  ),
  retry_max: seconds(5).describe('Seconds between retries at most.'),
  close_timeout: seconds(2, { min: 0 }).describe(
    'Seconds close() spends writing what is buffered; what is left is counted as unsent.',
  ),
} as const;

/** What the shared sink reads of either sink's options. */
export type WriteSettings = z.output<z.ZodObject<typeof writeOptionsShape>>;

/** Added to each sink's schema: `retry_min <= retry_max`, checked like any other option. */
export const retryRange = ordered('retry_min', 'retry_max');
