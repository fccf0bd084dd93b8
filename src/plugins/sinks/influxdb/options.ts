import { z } from 'zod';
import { Secret } from './secret.js';

/** Text options: DOT decodes `org=42` to a number, which is still meant as text. */
export function textOption(fallback: string) {
  return z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v) => String(v));
}

export function optionalTextOption() {
  return z
    .union([z.string(), z.number()])
    .nullable()
    .default(null)
    .transform((v) => (v === null ? null : String(v)));
}

export function secretOption(fallback: string) {
  return z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v) => new Secret(String(v)));
}

export const envNameOption = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
  .nullable()
  .default(null);

/** Batching, buffering and retry options, the same for both InfluxDB sinks. */
export const writeOptionsShape = {
  field_key: optionalTextOption().describe(
    'Record key whose value names the field; when absent: name, label, <type>_<id>, type, "data".',
  ),
  field_value: optionalTextOption().describe(
    'Record key holding the field value; when absent from a record: value.',
  ),
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe('Points per write request at most; a full batch is sent at once.'),
  flush_interval: z
    .number()
    .positive()
    .default(1)
    .describe('Seconds a point waits at most for its batch to fill.'),
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
  timeout: z
    .number()
    .positive()
    .default(10)
    .describe('Seconds a write request may take before it is abandoned and retried.'),
  retry_min: z
    .number()
    .positive()
    .default(0.25)
    .describe('Seconds before the first retry; the pause doubles per failure, with jitter.'),
  retry_max: z.number().positive().default(5).describe('Seconds between retries at most.'),
  close_timeout: z
    .number()
    .min(0)
    .default(2)
    .describe(
      'Seconds close() spends writing what is buffered; what is left is counted as unsent.',
    ),
} as const;

export interface WriteSettings {
  readonly field_key: string | null;
  readonly field_value: string | null;
  readonly batch_size: number;
  readonly flush_interval: number;
  readonly buffer_points: number;
  readonly buffer_bytes: number;
  readonly timeout: number;
  readonly retry_min: number;
  readonly retry_max: number;
  readonly close_timeout: number;
}
