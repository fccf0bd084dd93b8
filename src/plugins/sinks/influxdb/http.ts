import type http from 'node:http';
import { WriteFailure, asWriteFailure } from '../../../io/batch-writer.js';
import { httpFailure } from './transport.js';

/** Replies are read up to this many bytes: enough for any error message, and bounded. */
const MAX_REPLY_BYTES = 64 * 1024;

/** What `node:http` and `node:https` both offer, as used here. */
interface HttpModule {
  readonly Agent: new (options: http.AgentOptions) => http.Agent;
  request(
    url: URL,
    options: http.RequestOptions,
    callback: (response: http.IncomingMessage) => void,
  ): http.ClientRequest;
}

export interface HttpClientOptions {
  /** The server's base URL; a path in it (a proxy prefix) goes before every request path. */
  readonly url: string;
  /** Per request: the socket may stay silent this long before the request is abandoned. */
  readonly timeoutMs: number;
  /** Sent with every request (the credentials). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * POSTs to one server over a private keep-alive agent, so that `close()` can destroy its
 * sockets and nothing of the sink keeps the process alive. An InfluxDB sink sends one
 * kind of request, a POST with a body, so `node:http` serves where a client library would
 * only add weight; `node:https` is loaded only for an `https:` URL.
 */
export class HttpClient {
  readonly #base: URL;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  #module: Promise<HttpModule> | undefined;
  #agent: http.Agent | undefined;
  #closed = false;

  constructor(options: HttpClientOptions) {
    this.#base = new URL(options.url);
    this.#prefix = this.#base.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#headers = options.headers ?? {};
  }

  /**
   * Sends `body` to `path` (with its query) and resolves with the reply's text on a 2xx
   * status. Rejects with a `WriteFailure`: classified by status (`httpFailure`) when the
   * server answered, `unavailable` when it did not, or when `signal` aborted the request.
   */
  async post(
    path: string,
    body: string,
    contentType: string,
    signal: AbortSignal,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<string> {
    const module = await this.#load();
    if (this.#closed) throw new WriteFailure('the HTTP client is closed', { kind: 'refused' });
    this.#agent ??= new module.Agent({ keepAlive: true, maxSockets: 1 });
    const options: http.RequestOptions = {
      method: 'POST',
      agent: this.#agent,
      signal,
      timeout: this.#timeoutMs,
      headers: {
        ...this.#headers,
        ...headers,
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(body)),
      },
    };
    return new Promise<string>((resolve, reject) => {
      const fail = (err: unknown): void => {
        reject(asWriteFailure(err));
      };
      const request = module.request(new URL(this.#prefix + path, this.#base), options, (reply) => {
        readReply(reply).then((text) => {
          const status = reply.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(httpFailure(status, text));
        }, fail);
      });
      request.on('timeout', () => {
        request.destroy(
          new WriteFailure(`no reply within ${this.#timeoutMs / 1000} s`, { kind: 'unavailable' }),
        );
      });
      request.on('error', fail);
      request.end(body);
    });
  }

  /** Destroys the agent's sockets; later requests fail. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#agent?.destroy();
  }

  #load(): Promise<HttpModule> {
    this.#module ??= this.#base.protocol === 'https:' ? import('node:https') : import('node:http');
    return this.#module;
  }
}

/** The reply's text, at most `MAX_REPLY_BYTES` of it; the rest is read and discarded. */
function readReply(reply: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    reply.on('data', (chunk: Buffer) => {
      if (kept >= MAX_REPLY_BYTES) return;
      chunks.push(chunk);
      kept += chunk.length;
    });
    reply.on('end', () => {
      resolve(Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8'));
    });
    reply.on('error', reject);
    reply.on('close', () => {
      // Settles nothing once 'end' has resolved; a reply cut off without an error fails.
      if (!reply.complete) reject(new Error('the reply was cut off'));
    });
  });
}
