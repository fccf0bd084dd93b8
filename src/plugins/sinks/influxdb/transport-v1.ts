import { ClientHttp, WriteFailure, redactUrl, type LineTransport } from './transport.js';

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
  readonly #http: ClientHttp;
  readonly #writePath: string;
  readonly #database: string;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: V1TransportOptions) {
    const host =
      options.host.includes(':') && !options.host.startsWith('[')
        ? `[${options.host}]`
        : options.host;
    const url = `${options.ssl ? 'https' : 'http'}://${host}:${options.port}`;
    this.#http = new ClientHttp({ url, timeoutMs: options.timeoutMs });
    this.#database = options.database;
    this.#writePath = `/write?${new URLSearchParams({ db: options.database, precision: 'ns' }).toString()}`;
    this.#headers =
      options.user === '' && options.password === ''
        ? {}
        : {
            authorization: `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`,
          };
    this.target = `${redactUrl(url)} database "${options.database}"`;
  }

  /** `CREATE DATABASE` is idempotent in 1.x, so it is simply sent. */
  async prepare(signal: AbortSignal): Promise<void> {
    const q = `CREATE DATABASE ${quoteIdentifier(this.#database)}`;
    const body = new URLSearchParams({ q }).toString();
    const reply = await this.#http.post('/query', body, FORM, signal, this.#headers);
    const error = queryError(reply);
    if (error !== undefined) {
      throw new WriteFailure(`CREATE DATABASE failed: ${error}`, { retriable: false });
    }
  }

  async write(body: string, signal: AbortSignal): Promise<void> {
    await this.#http.post(this.#writePath, body, LINES, signal, this.#headers);
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
function queryError(reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const top = (reply as { error?: unknown }).error;
  if (typeof top === 'string') return top;
  const results = (reply as { results?: unknown }).results;
  if (!Array.isArray(results)) return undefined;
  const first: unknown = results[0];
  const inner = (first as { error?: unknown } | undefined)?.error;
  return typeof inner === 'string' ? inner : undefined;
}
