/**
 * The options kit: the zod pieces every plugin builds its `optionsSchema` from, built-in or
 * user-written (it is exported from the package). One piece per kind of option, so one
 * kind of mistake gets one message, checked with the rest of the graph (a file and a line,
 * every problem at once) before any node is constructed.
 */
import { inspect } from 'node:util';
import { z } from 'zod';

export { z };

/** The longest delay a Node.js timer can hold: 2^31 - 1 ms, about 24.8 days. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Text. DOT decodes `org=42` to a number (and 20 digits to a BigInt, exactly), which is
 * still meant as text.
 */
export function text(fallback: string) {
  return z
    .union([z.string(), z.number(), z.bigint()])
    .default(fallback)
    .transform((v) => String(v));
}

/** Text, or `None` (null) for "not set". */
export function textOrNull() {
  return z
    .union([z.string(), z.number(), z.bigint()])
    .nullable()
    .default(null)
    .transform((v) => (v === null ? null : String(v)));
}

/** A yes/no option: `True`/`False`, or a number as Python's truth value reads it. */
export function flag(fallback: boolean) {
  return z
    .union([z.boolean(), z.number()])
    .default(fallback)
    .transform((v) => Boolean(v));
}

export interface SecondsRange {
  /** Smallest value allowed (default: more than 0). */
  readonly min?: number;
  /** Whether `min` itself is allowed (default: only for a `min` given here). */
  readonly inclusive?: boolean;
  /** Largest value allowed (default: what a timer can wait, about 24.8 days). */
  readonly max?: number;
}

/**
 * A duration in seconds, range-checked so that it means what it says: beyond what a Node.js
 * timer can hold a timer fires at once, so such values are refused, not silently shortened.
 */
export function seconds(fallback: number, range: SecondsRange = {}) {
  const max = range.max ?? MAX_TIMER_SECONDS;
  let schema = z.number().max(max, `must be at most ${max} seconds`);
  if (range.min === undefined) schema = schema.positive('must be more than 0 seconds');
  else if (range.inclusive === false) schema = schema.gt(range.min);
  else schema = schema.min(range.min, `must be at least ${range.min} seconds`);
  return schema.default(fallback);
}

/**
 * A TCP or UDP port; 0 lets the operating system choose where that makes sense. The
 * default sits before the conversion, where the generated docs (the input side) show it.
 */
export function port(fallback: number) {
  return z
    .union([z.number(), z.string().regex(/^\d+$/, 'must be a port number')])
    .default(fallback)
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535));
}

/** A path to a file or directory; relative paths start from the working directory. */
export function path() {
  return z.string().min(1, 'must not be empty');
}

/** The name of an environment variable (for the `*_env` options that hold secrets). */
export function envName() {
  return z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .nullable()
    .default(null);
}

const REDACTED = '[redacted]';

/**
 * A token or password. It prints, serialises and inspects as `[redacted]`, so the daemon's
 * "Initialising node ..." line, a stats dump or an error message cannot leak it; only
 * `reveal()` gives the text, and only the code that sends it calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  get isEmpty(): boolean {
    return this.#value === '';
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.#value === '' ? '' : REDACTED;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** An inline secret (a password or token in the config file); prefer its `*_env` partner. */
export function secret(fallback: string) {
  return z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v) => new Secret(String(v)));
}

/**
 * The secret to use: the environment variable named by `envVariable` when one is named
 * (it must then be set and non-empty), else the inline value. Returns the problem as text
 * (naming the variable, never a value) when the variable is missing.
 */
export function resolveSecret(
  inline: Secret,
  envVariable: string | null,
  env: NodeJS.ProcessEnv = process.env,
): Secret | string {
  if (envVariable === null) return inline;
  const value = env[envVariable];
  if (value === undefined || value === '') {
    return `names the environment variable ${envVariable}, which is not set or is empty`;
  }
  return new Secret(value);
}

/**
 * A pair of options where one must not exceed the other (`reconnect_min` and
 * `reconnect_max`, `retry_min` and `retry_max`): add it to the object schema with
 * `.superRefine(ordered('reconnect_min', 'reconnect_max'))`. The problem is reported on the
 * smaller option, like any other option problem, with the file and line of the node.
 */
export function ordered<K extends string>(low: K, high: K) {
  return (options: Record<K, number>, ctx: z.RefinementCtx): void => {
    if (options[low] > options[high]) {
      ctx.addIssue({
        code: 'custom',
        path: [low],
        message: `must not be larger than ${high} (${options[high]})`,
      });
    }
  };
}
