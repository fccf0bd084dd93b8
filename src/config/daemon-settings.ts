/**
 * The daemon's own keys in `[datalogd]`, beside the graph and the plugin paths: how often
 * it logs a status line, where it serves metrics, health and tap (docs/observe.md), and how
 * long a stop may take (docs/service.md).
 */
import { DatalogdError } from '../core/errors.js';
import { parseWebAddress, type WebAddress } from '../io/web/address.js';

export const SETTINGS_KEYS = [
  'status_interval',
  'http',
  'http_token_env',
  'shutdown_timeout',
] as const;

/** Five minutes: often enough to see a stall, rare enough not to fill a journal. */
export const DEFAULT_STATUS_INTERVAL_S = 300;
export const MIN_STATUS_INTERVAL_S = 0.1;
export const MAX_STATUS_INTERVAL_S = 86_400;
/** The longest a timer can wait (2^31-1 ms), so a deadline beyond it would fire at once. */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

export interface DaemonSettings {
  /** Seconds between status lines; 0 turns them off. */
  readonly statusIntervalS: number;
  /** Where `/metrics`, `/health` and `/tap/NODE` are served; undefined: not served. */
  readonly http: WebAddress | undefined;
  /** The access token of that server, read from the variable `http_token_env` names. */
  readonly httpToken: string | undefined;
  /** `shutdown_timeout` in ms; undefined when not set (the daemon's default applies). */
  readonly shutdownTimeoutMs: number | undefined;
}

export interface SettingsOverrides {
  /** `--http [HOST:]PORT`, which wins over the files' `http`. */
  readonly http?: string;
}

/** A value and where it was written, for problems that name the file and line. */
export interface Located {
  readonly text: string;
  readonly where: string;
}

/** The value of a key written in `[datalogd]`, interpolated, or undefined when absent. */
export type SettingsLookup = (key: string) => Located | undefined;

/** Reads the settings, pushing a problem (and using the default) for each bad value. */
export function readDaemonSettings(
  lookup: SettingsLookup,
  env: NodeJS.ProcessEnv,
  overrides: SettingsOverrides,
  problems: DatalogdError[],
): DaemonSettings {
  const fail = (where: string, message: string): void => {
    problems.push(new DatalogdError('DATALOGD_ERR_CONFIG_VALUE', `${where}${message}`));
  };
  const statusIntervalS = readStatusInterval(lookup('status_interval'), fail);
  const httpText: Located | undefined =
    overrides.http === undefined ? lookup('http') : { text: overrides.http, where: '--http: ' };
  let http: WebAddress | undefined;
  if (httpText !== undefined && httpText.text.trim() !== '') {
    const parsed = parseWebAddress(httpText.text);
    if (typeof parsed === 'string') fail(httpText.where, `http: ${parsed}`);
    else http = parsed;
  }
  const tokenEnv = lookup('http_token_env');
  let httpToken: string | undefined;
  if (tokenEnv !== undefined && tokenEnv.text.trim() !== '') {
    const name = tokenEnv.text.trim();
    const value = env[name];
    if (value === undefined || value === '') {
      fail(tokenEnv.where, `http_token_env: the environment variable ${name} is not set`);
    } else {
      httpToken = value;
    }
  }
  const shutdownTimeoutMs = readShutdownTimeout(lookup('shutdown_timeout'), problems);
  return { statusIntervalS, http, httpToken, shutdownTimeoutMs };
}

function readShutdownTimeout(
  located: Located | undefined,
  problems: DatalogdError[],
): number | undefined {
  if (located === undefined) return undefined;
  const text = located.text.trim();
  const seconds = Number(text);
  if (text !== '' && Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT_S) {
    return Math.round(seconds * 1000);
  }
  problems.push(
    new DatalogdError(
      'DATALOGD_ERR_OPTION_TYPE',
      `${located.where}shutdown_timeout: ${JSON.stringify(text)} is not a number of seconds above 0 and at most ${MAX_TIMEOUT_S}`,
      { option: 'shutdown_timeout' },
    ),
  );
  return undefined;
}

function readStatusInterval(
  located: Located | undefined,
  fail: (where: string, message: string) => void,
): number {
  if (located === undefined || located.text.trim() === '') return DEFAULT_STATUS_INTERVAL_S;
  const seconds = Number(located.text.trim());
  const inRange =
    seconds === 0 || (seconds >= MIN_STATUS_INTERVAL_S && seconds <= MAX_STATUS_INTERVAL_S);
  if (!Number.isFinite(seconds) || !inRange) {
    fail(
      located.where,
      `status_interval: "${located.text.trim()}" is not a number of seconds: 0 (no status line) or from ${MIN_STATUS_INTERVAL_S} to ${MAX_STATUS_INTERVAL_S}`,
    );
    return DEFAULT_STATUS_INTERVAL_S;
  }
  return seconds;
}
