import { inspect } from 'node:util';
import { DatalogdError } from '../../../core/errors.js';

const REDACTED = '[redacted]';

/**
 * A token or password. It prints, serialises and inspects as `[redacted]`, so the daemon's
 * "Initialising node ..." line, a stats dump or an error message cannot leak it; only
 * `reveal()` gives the text, and only the HTTP layer calls it.
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

/**
 * The secret to use: the environment variable named by `envName` when one is named (it must
 * then be set and non-empty), else the inline value. Errors name the variable, never a value.
 */
export function resolveSecret(
  inline: Secret,
  envName: string | null,
  option: string,
  env: NodeJS.ProcessEnv = process.env,
): Secret {
  if (envName === null) return inline;
  const value = env[envName];
  if (value === undefined || value === '') {
    throw new DatalogdError(
      'DATALOGD_ERR_NODE_CONSTRUCT',
      `option "${option}" names the environment variable ${envName}, which is not set or is empty`,
      { option },
    );
  }
  return new Secret(value);
}
