/**
 * Where the daemon's web server listens. One server per address serves every user in the
 * process (plot pages now; metrics, health and tap later), so an address is also the key
 * under which that server is shared.
 */
import { isIP } from 'node:net';

export interface WebAddress {
  readonly host: string;
  /** 0 lets the operating system choose a free port; the log then prints the real one. */
  readonly port: number;
}

/** Loopback only, unless a user asks for more: a lab PC's plots are nobody else's business. */
export const DEFAULT_WEB_HOST = '127.0.0.1';

/**
 * The documented default port, next to the socket filter's 45454 so that a lab's firewall
 * notes stay short.
 */
export const DEFAULT_WEB_PORT = 45480;

/** The daemon's own web address, with the access token its server asks for, if any. */
export interface DefaultWebAddress extends WebAddress {
  readonly token?: string;
}

let processDefault: DefaultWebAddress = { host: DEFAULT_WEB_HOST, port: DEFAULT_WEB_PORT };

/**
 * The address used by every web user that names no host or port of its own. The runtime
 * sets it from the command line or the `[datalogd]` section (`--http`), before any node
 * starts.
 */
export function setDefaultWebAddress(address: DefaultWebAddress): void {
  processDefault = { ...address };
}

export function defaultWebAddress(): DefaultWebAddress {
  return processDefault;
}

/** Fills what a user left unset (null) from the process-wide default. */
export function resolveWebAddress(host: string | null, port: number | null): WebAddress {
  const fallback = defaultWebAddress();
  return { host: host ?? fallback.host, port: port ?? fallback.port };
}

/**
 * Reads `[HOST:]PORT` (`8080`, `0.0.0.0:8080`, `[::1]:8080`) as the command line and the
 * config file write it; the host is 127.0.0.1 when omitted. Returns the problem as text.
 */
export function parseWebAddress(text: string): WebAddress | string {
  const trimmed = text.trim();
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    return `"${text}" is not [HOST:]PORT (for example 45480 or 0.0.0.0:45480)`;
  }
  const rawHost = match[1];
  const host =
    rawHost === undefined
      ? DEFAULT_WEB_HOST
      : rawHost.startsWith('[')
        ? rawHost.slice(1, -1)
        : rawHost;
  return { host, port };
}

/** Whether only this machine can reach `host` (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === '::1' || lower === '[::1]') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  return lower === '::ffff:127.0.0.1';
}

/** `http://host:port/path`, with IPv6 hosts in brackets. */
export function webUrl(host: string, port: number, path = '/'): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return `http://${shown}:${port}${path}`;
}

/** The key under which one server is shared: the address as configured (port 0 included). */
export function addressKey(address: WebAddress): string {
  return `${address.host.toLowerCase()}|${address.port}`;
}
