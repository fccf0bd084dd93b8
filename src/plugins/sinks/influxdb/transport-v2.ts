import { HttpClient } from './http.js';
import { redactUrl, type LineTransport } from './transport.js';

export interface V2TransportOptions {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
  readonly timeoutMs: number;
}

/**
 * InfluxDB 2.x (and compatible servers): `POST /api/v2/write?org=...&bucket=...&precision=ns`,
 * the token in `Authorization: Token ...` (none without a token).
 */
export class InfluxV2Transport implements LineTransport {
  readonly target: string;
  readonly #http: HttpClient;
  readonly #writePath: string;

  constructor(options: V2TransportOptions) {
    this.#http = new HttpClient({
      url: options.url,
      timeoutMs: options.timeoutMs,
      headers: options.token === '' ? {} : { authorization: `Token ${options.token}` },
    });
    const query = new URLSearchParams({
      org: options.org,
      bucket: options.bucket,
      precision: 'ns',
    });
    this.#writePath = `/api/v2/write?${query.toString()}`;
    this.target = `${redactUrl(options.url)} bucket "${options.bucket}" (org "${options.org}")`;
  }

  async write(lines: readonly string[], signal: AbortSignal): Promise<void> {
    await this.#http.post(this.#writePath, lines.join('\n'), 'text/plain; charset=utf-8', signal);
  }

  close(): void {
    this.#http.close();
  }
}
