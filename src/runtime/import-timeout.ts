import { DatalogdError } from '../core/errors.js';
import { MAX_TIMER_SECONDS } from '../plugins/options.js';

/** The environment variable that sets how long one plugin file may take to import. */
export const IMPORT_TIMEOUT_ENV = 'DATALOGD_PLUGIN_IMPORT_TIMEOUT';

/**
 * Seconds a plugin file may take to import by default: far more than any plugin needs to
 * evaluate, short enough that a top-level await that never settles is reported promptly.
 */
export const DEFAULT_IMPORT_TIMEOUT_SECONDS = 10;

/** The import timeout in milliseconds from the environment, or the problem with its value. */
export function importTimeoutMs(env: NodeJS.ProcessEnv): number | DatalogdError {
  const text = env[IMPORT_TIMEOUT_ENV];
  if (text === undefined || text.trim() === '') return DEFAULT_IMPORT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(text);
  if (!(seconds > 0 && seconds <= MAX_TIMER_SECONDS)) {
    return new DatalogdError(
      'DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT',
      `${IMPORT_TIMEOUT_ENV}=${JSON.stringify(text)} is not a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`,
    );
  }
  return seconds * 1000;
}

/**
 * `promise`, or `undefined` if it has not settled within `ms`. The timer keeps the process
 * alive meanwhile: a module whose top-level await waits on nothing would otherwise let
 * Node.js end the process (exit status 13) with no word about which file it was.
 */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
