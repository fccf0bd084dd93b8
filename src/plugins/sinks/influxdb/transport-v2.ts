import { ClientHttp, redactUrl, type LineTransport } from './transport.js';

export interface V2TransportOptions {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
  readonly timeoutMs: number;
}

/**
 * InfluxDB 2.x (and compatible servers): `POST /api/v2/write?org=...&bucket=...&precision=ns`
 * through the official client's transport, the token in `Authorization: Token ...`.
 * The client's own WriteApi is not used: its retry buffer counts lines only, logs through
 * the console and keeps retry timers of its own; the shared writer replaces it.
 */
export class InfluxV2Transport implements LineTransport {
  readonly target: string;
  readonly #http: ClientHttp;
  readonly #writePath: string;

  constructor(options: V2TransportOptions) {
    this.#http = new ClientHttp({
      url: options.url,
      timeoutMs: options.timeoutMs,
      token: options.token,
    });
    const query = new URLSearchParams({
      org: options.org,
      bucket: options.bucket,
      precision: 'ns',
    });
    this.#writePath = `/api/v2/write?${query.toString()}`;
    this.target = `${redactUrl(options.url)} bucket "${options.bucket}" (org "${options.org}")`;
  }

  async write(body: string, signal: AbortSignal): Promise<void> {
    await this.#http.post(this.#writePath, body, 'text/plain; charset=utf-8', signal);
  }

  close(): void {
    this.#http.close();
  }
}
