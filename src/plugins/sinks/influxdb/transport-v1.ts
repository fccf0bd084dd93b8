import { WriteFailure } from '../../../io/batch-writer.js';
import { HttpClient } from './http.js';
import { redactUrl, type LineTransport } from './transport.js';

export interface V1TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly timeoutMs: number;
}

const LINES = 'text/plain; charset=utf-8';
const FORM = 'application/x-www-form-urlencoded';

/**
 * InfluxDB 1.x: `POST /write?db=...&precision=ns`, credentials in a Basic authorization
 * header rather than the `u`/`p` query parameters, so that they never appear in a URL.
 */
export class InfluxV1Transport implements LineTransport {
  readonly target: string;
  readonly #http: HttpClient;
  readonly #writePath: string;
  readonly #database: string;

  constructor(options: V1TransportOptions) {
    const host =
      options.host.includes(':') && !options.host.startsWith('[')
        ? `[${options.host}]`
        : options.host;
    const url = `${options.ssl ? 'https' : 'http'}://${host}:${options.port}`;
    const anonymous = options.user === '' && options.password === '';
    const credentials = Buffer.from(`${options.user}:${options.password}`).toString('base64');
    this.#http = new HttpClient({
      url,
      timeoutMs: options.timeoutMs,
      headers: anonymous ? {} : { authorization: `Basic ${credentials}` },
    });
    this.#database = options.database;
    this.#writePath = `/write?${new URLSearchParams({ db: options.database, precision: 'ns' }).toString()}`;
    this.target = `${redactUrl(url)} database "${options.database}"`;
  }

  /** `CREATE DATABASE` is idempotent in 1.x, so it is simply sent. */
  async prepare(signal: AbortSignal): Promise<void> {
    const q = `CREATE DATABASE ${quoteIdentifier(this.#database)}`;
    const body = new URLSearchParams({ q }).toString();
    const reply = await this.#http.post('/query', body, FORM, signal);
    const error = queryError(reply);
    if (error !== undefined) {
      throw new WriteFailure(`CREATE DATABASE failed: ${error}`, { kind: 'refused' });
    }
  }

  async write(lines: readonly string[], signal: AbortSignal): Promise<void> {
    await this.#http.post(this.#writePath, lines.join('\n'), LINES, signal);
  }

  close(): void {
    this.#http.close();
  }
}

/** An InfluxQL double-quoted identifier. */
export function quoteIdentifier(name: string): string {
  return '"' + name.replace(/["\\]/g, (ch) => '\\' + ch) + '"';
}

/** The error text of a 1.x `/query` reply (`{"error": ...}` or in the first result), if any. */
function queryError(text: string): string | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof reply !== 'object' || reply === null) return undefined;
  const top = (reply as { error?: unknown }).error;
  if (typeof top === 'string') return top;
  const results = (reply as { results?: unknown }).results;
  if (!Array.isArray(results)) return undefined;
  const first: unknown = results[0];
  const inner = (first as { error?: unknown } | undefined)?.error;
  return typeof inner === 'string' ? inner : undefined;
}
