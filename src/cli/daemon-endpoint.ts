/**
 * Where `datalogd tap` and `datalogd top` find the running daemon: `--http HOST:PORT`,
 * else the `http` key of the configuration the daemon reads (site, user and `-c` files),
 * else the default web address; with the token `http_token_env` names, if set.
 */
import { get, type IncomingMessage } from 'node:http';
import { loadConfig } from '../config/load.js';
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, parseWebAddress, webUrl } from '../io/web/address.js';

export interface EndpointOptions {
  readonly http?: string;
  readonly configfile?: string;
}

export interface DaemonEndpoint {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  url(path: string): string;
}

export async function daemonEndpoint(options: EndpointOptions): Promise<DaemonEndpoint> {
  let address: { host: string; port: number } = { host: DEFAULT_WEB_HOST, port: DEFAULT_WEB_PORT };
  if (options.http !== undefined) {
    const parsed = parseWebAddress(options.http);
    if (typeof parsed === 'string') throw new Error(`--http: ${parsed}`);
    address = parsed;
  }
  const config = await loadConfig({
    ...(options.configfile === undefined ? {} : { configFile: options.configfile }),
  });
  const token = config.settings.httpToken;
  if (options.http === undefined && config.settings.http !== undefined) {
    address = config.settings.http;
  }
  if (address.port === 0) {
    throw new Error(
      'the daemon was told to listen on any free port (0): give the port it printed with --http HOST:PORT',
    );
  }
  const { host, port } = address;
  return { host, port, token, url: (path) => webUrl(host, port, path) };
}

/** A GET to the daemon, with its token when it has one. */
export function request(
  endpoint: DaemonEndpoint,
  path: string,
  accept: string,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: accept };
    if (endpoint.token !== undefined) headers.Authorization = `Bearer ${endpoint.token}`;
    const req = get(endpoint.url(path), { headers }, resolve);
    req.on('error', reject);
  });
}

/** The whole body of a response, as text. */
export async function readBody(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk as string;
  return text;
}
