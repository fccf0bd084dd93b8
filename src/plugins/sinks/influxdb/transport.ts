import type http from 'node:http';
import type { InfluxDB } from '@influxdata/influxdb-client';
import { errorMessage } from '../../../core/errors.js';

/** Where batches go. The 1.x and 2.x sinks differ only here. */
export interface LineTransport {
  /** For logs: the server and database or bucket, never a credential. */
  readonly target: string;
  /** Runs before the first write and after a write failed with `needsPrepare` (1.x: CREATE DATABASE). */
  prepare?(signal: AbortSignal): Promise<void>;
  /** Writes newline-separated lines; rejects with a `WriteFailure`. */
  write(body: string, signal: AbortSignal): Promise<void>;
  /** Releases sockets; called once when the writer is done. */
  close(): void;
}

/** Why a write failed, and whether trying again can help. */
export class WriteFailure extends Error {
  readonly retriable: boolean;
  readonly needsPrepare: boolean;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: {
      readonly retriable: boolean;
      readonly needsPrepare?: boolean;
      readonly status?: number;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WriteFailure';
    this.retriable = options.retriable;
    this.needsPrepare = options.needsPrepare ?? false;
    this.status = options.status;
  }
}

/**
 * What to do about a failed request. Points are kept and retried unless the server looked
 * at them and refused them (400 bad line protocol or a field type conflict, 413 too large,
 * and other 4xx that a retry cannot change). Unreachable servers, timeouts, 5xx, 429, and
 * also 401/403/404 (credentials, a database or bucket that may appear) are retried.
 */
export function classifyFailure(err: unknown): WriteFailure {
  if (err instanceof WriteFailure) return err;
  if (isHttpError(err)) {
    const status = err.statusCode;
    const body = (err.body ?? '').trim().slice(0, 300);
    const message = `HTTP ${status}${body === '' ? '' : `: ${body}`}`;
    const retriable =
      status >= 500 || [401, 403, 404, 408, 425, 429].includes(status) || status < 400;
    const needsPrepare = status === 404 && /database not found/i.test(body);
    return new WriteFailure(message, { retriable, needsPrepare, status, cause: err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? `${code} ${errorMessage(err)}` : errorMessage(err);
  return new WriteFailure(detail.trim() === '' ? 'request failed' : detail, {
    retriable: true,
    cause: err,
  });
}

/** The client's HttpError, recognised by shape so the client need not be loaded to classify. */
function isHttpError(err: unknown): err is { statusCode: number; body?: string } {
  return (
    err instanceof Error &&
    err.name === 'HttpError' &&
    typeof (err as { statusCode?: unknown }).statusCode === 'number'
  );
}

export interface HttpTargetOptions {
  readonly url: string;
  /** Per request, in milliseconds: the socket idle timeout of the client. */
  readonly timeoutMs: number;
  /** 2.x token; sent as `Authorization: Token ...`. */
  readonly token?: string;
}

/**
 * The official client's HTTP transport with a private keep-alive agent, so that `close()`
 * can destroy the sockets and leave nothing that keeps the process alive.
 */
export class ClientHttp {
  readonly #options: HttpTargetOptions;
  readonly #secure: boolean;
  #agent: http.Agent | undefined;
  #client: Promise<InfluxDB> | undefined;
  #closed = false;

  constructor(options: HttpTargetOptions) {
    this.#secure = new URL(options.url).protocol === 'https:';
    this.#options = options;
  }

  /** The client is loaded on first use, so graphs without an InfluxDB sink never pay for it. */
  #getClient(): Promise<InfluxDB> {
    this.#client ??= this.#createClient();
    return this.#client;
  }

  async #createClient(): Promise<InfluxDB> {
    const { url, timeoutMs, token } = this.#options;
    const [{ InfluxDB: Client }, { Agent }] = await Promise.all([
      import('@influxdata/influxdb-client'),
      this.#secure ? import('node:https') : import('node:http'),
    ]);
    if (this.#closed) throw new WriteFailure('closed', { retriable: false });
    this.#agent = new Agent({ keepAlive: true, maxSockets: 2 });
    return new Client({
      url,
      timeout: timeoutMs,
      transportOptions: { agent: this.#agent },
      ...(token === undefined || token === '' ? {} : { token }),
    });
  }

  async post(
    path: string,
    body: string,
    contentType: string,
    signal: AbortSignal,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<unknown> {
    try {
      const client = await this.#getClient();
      return (await client.transport.request(path, body, {
        method: 'POST',
        headers: { 'content-type': contentType, ...headers },
        signal,
      })) as unknown;
    } catch (err) {
      throw classifyFailure(err);
    }
  }

  close(): void {
    this.#closed = true;
    this.#agent?.destroy();
  }
}

/** The URL without user and password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
