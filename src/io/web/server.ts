/**
 * The daemon's web server: node:http, with routes by exact path for pages, JSON and files,
 * and WebSocket endpoints (the `ws` library, loaded on the first upgrade so that users that
 * serve only HTTP never pay for it). One instance per address, shared through
 * `acquireWebServer` (shared.ts); plot pages, metrics, health and tap all register here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { Backoff, sleep } from '../../core/backoff.js';
import { errorMessage } from '../../core/errors.js';
import { getLogger } from '../../core/log.js';
import type { ReportProblem } from '../../core/node.js';
import { isLoopback, webUrl, type WebAddress } from './address.js';
import { refusalOf, type Guard, type Refusal } from './guard.js';
import { indexPage } from './index-page.js';
import { html, plain, refuseUpgrade } from './responses.js';
import { presentedToken, tokenCookie } from './token.js';

export type HttpHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => void | Promise<void>;

export type WebSocketHandler = (socket: WebSocket, request: IncomingMessage) => void;

export interface RouteOptions {
  /** Shown as a link on the index page at `/` when given. */
  readonly title?: string;
  /** The owner's problem path: refused requests and full-house refusals are counted there. */
  readonly report?: ReportProblem;
  /**
   * Several users may register the same path (the chart library's file, say); the first
   * handler serves it and the route stays until the last of them removes it.
   */
  readonly shared?: boolean;
  /**
   * The path ends with `/` and the route also serves every path below it (`/tap/` serves
   * `/tap/NODE`); the handler reads the rest from the URL. An exact route wins over it.
   */
  readonly prefix?: boolean;
}

interface Route {
  readonly kind: 'http' | 'websocket';
  readonly http?: HttpHandler;
  readonly websocket?: WebSocketHandler;
  readonly title: string | undefined;
  readonly report: ReportProblem | undefined;
  readonly shared: boolean;
  readonly prefix: boolean;
  users: number;
}

export interface WebServerOptions {
  readonly address: WebAddress;
  /** When set, every request must present it (see token.ts). */
  readonly token?: string;
  /** WebSocket connections held at most, over all routes. */
  readonly maxWebSockets?: number;
  /** HTTP connections held at most (keep-alive included). */
  readonly maxConnections?: number;
  /** A WebSocket that answers no ping for this long is closed. */
  readonly heartbeatMs?: number;
}

export const DEFAULT_MAX_WEBSOCKETS = 32;
const DEFAULT_MAX_CONNECTIONS = 128;
const DEFAULT_HEARTBEAT_MS = 30_000;
/** Pages send nothing but pongs; anything large from a browser is a mistake or an attack. */
const MAX_INCOMING_MESSAGE_BYTES = 4096;
const CLOSE_GRACE_MS = 500;
const WILDCARD = new Set(['0.0.0.0', '::', '']);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

export class WebServer {
  readonly address: WebAddress;
  readonly #token: string | undefined;
  readonly #maxWebSockets: number;
  readonly #heartbeatMs: number;
  readonly #http: Server;
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Map<WebSocket, { alive: boolean }>();
  /** Server-wide problems (a port in use) are reported to every user. */
  readonly #reporters = new Set<ReportProblem>();
  readonly #stop = new AbortController();
  readonly #log = getLogger('web');
  readonly #guard: Guard;
  #upgrading = 0;
  #webSockets: Promise<WebSocketServer> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #listening: Promise<void> | undefined;
  #port: number | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: WebServerOptions) {
    this.address = options.address;
    this.#token = options.token === '' ? undefined : options.token;
    this.#maxWebSockets = options.maxWebSockets ?? DEFAULT_MAX_WEBSOCKETS;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#guard = { token: this.#token, loopback: isLoopback(options.address.host) };
    this.#http = createServer((request, response) => {
      this.#onRequest(request, response);
    });
    this.#http.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.#http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#onUpgrade(request, socket, head);
    });
    this.#http.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      else socket.destroy();
    });
  }

  /** The access token, so that users sharing the server can check they agree on it. */
  get token(): string | undefined {
    return this.#token;
  }

  /** The port bound, once listening (the real one when 0 was asked for). */
  get port(): number | undefined {
    return this.#port;
  }

  /** The URL of `path` on this server, once it listens. */
  url(path = '/'): string | undefined {
    if (this.#port === undefined) return undefined;
    // 0.0.0.0 is where the server listens, not a place a browser can go.
    const host = WILDCARD.has(this.address.host) ? hostname() : this.address.host;
    return webUrl(host, this.#port, path);
  }

  get webSocketCount(): number {
    return this.#sockets.size;
  }

  addReporter(report: ReportProblem): void {
    this.#reporters.add(report);
  }

  removeReporter(report: ReportProblem): void {
    this.#reporters.delete(report);
  }

  /** Serves `path` with `handler` (GET and HEAD); returns the function that removes it. */
  addRoute(path: string, handler: HttpHandler, options: RouteOptions = {}): () => void {
    return this.#add(path, { kind: 'http', http: handler }, options);
  }

  /** Accepts WebSocket upgrades on `path`; returns the function that removes the route. */
  addWebSocketRoute(
    path: string,
    handler: WebSocketHandler,
    options: RouteOptions = {},
  ): () => void {
    return this.#add(path, { kind: 'websocket', websocket: handler }, options);
  }

  /**
   * Starts listening. Resolves after the first attempt, bound or not: a port in use is a
   * runtime fault, reported and retried with backoff, never a reason to stop the daemon.
   */
  listen(): Promise<void> {
    this.#listening ??= new Promise<void>((firstAttempt) => {
      void this.#listenLoop(firstAttempt);
    });
    return this.#listening;
  }

  /** Closes every connection (pages are told the server is going away) and the listener. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  #add(
    path: string,
    handler: Pick<Route, 'kind' | 'http' | 'websocket'>,
    options: RouteOptions,
  ): () => void {
    const existing = this.#routes.get(path);
    if (existing !== undefined) {
      if (!(existing.shared && options.shared === true && existing.kind === handler.kind)) {
        throw new Error(`the web server already serves ${path}`);
      }
      existing.users += 1;
    } else {
      this.#routes.set(path, {
        ...handler,
        title: options.title,
        report: options.report,
        shared: options.shared === true,
        prefix: options.prefix === true && path.endsWith('/'),
        users: 1,
      });
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const route = this.#routes.get(path);
      if (route === undefined) return;
      route.users -= 1;
      if (route.users <= 0) this.#routes.delete(path);
    };
  }

  async #listenLoop(firstAttempt: () => void): Promise<void> {
    const backoff = new Backoff({ minMs: 1000, maxMs: 30_000 });
    const { host, port } = this.address;
    while (!this.#stop.signal.aborted) {
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error): void => {
            reject(err);
          };
          this.#http.once('error', onError);
          this.#http.listen(port, host, () => {
            this.#http.off('error', onError);
            resolve();
          });
        });
        const bound = this.#http.address();
        this.#port = typeof bound === 'object' && bound !== null ? bound.port : port;
        this.#announce();
        this.#startHeartbeat();
        firstAttempt();
        return;
      } catch (err) {
        for (const report of this.#reporters) {
          report(
            'DATALOGD_ERR_WEB_LISTEN',
            `cannot listen on ${webUrl(host, port)}: ${errorMessage(err)}; retrying`,
          );
        }
        firstAttempt();
        if (!(await sleep(backoff.next(), this.#stop.signal))) return;
      }
    }
  }

  #announce(): void {
    const where = this.url() ?? '';
    this.#log.info(`Web server listening on ${where}`);
    if (!isLoopback(this.address.host)) {
      this.#log.warning(
        this.#token === undefined
          ? `The web server at ${where} is reachable from other machines and has no access token: anyone who can reach it sees what it serves. Set a token (token_env), or bind to 127.0.0.1 and use an SSH tunnel.`
          : `The web server at ${where} is reachable from other machines; requests must carry its access token.`,
      );
    }
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const parsed = this.#parse(request);
    if (parsed === undefined) {
      plain(response, 400, 'Bad request path.');
      return;
    }
    const { url, path } = parsed;
    let route = this.#routes.get(path) ?? this.#prefixRoute(path);
    if (route === undefined && path === '/') {
      route = this.#indexRoute();
    }
    if (route === undefined && path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (
      route === undefined &&
      !path.endsWith('/') &&
      this.#routes.get(`${path}/`)?.kind === 'http'
    ) {
      response.writeHead(308, { Location: `${request.url?.split('?')[0] ?? path}/${url.search}` });
      response.end();
      return;
    }
    const refusal = refusalOf(request, url, this.#guard, false);
    if (refusal !== undefined) {
      this.#reportRefused(route, refusal);
      plain(response, refusal.status, refusal.text);
      return;
    }
    if (route?.kind !== 'http' || route.http === undefined) {
      plain(response, 404, 'Not found.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      plain(response, 405, 'Only GET and HEAD are served here.');
      return;
    }
    const token = this.#token === undefined ? undefined : presentedToken(request, url);
    if (token?.from === 'query') response.setHeader('Set-Cookie', tokenCookie(token.value));
    const handler = route.http;
    Promise.resolve()
      .then(() => handler(request, response, url))
      .catch((err: unknown) => {
        this.#log.error(`Serving ${path} failed: ${errorMessage(err)}`);
        if (!response.headersSent) plain(response, 500, 'Internal error.');
        else response.destroy();
      });
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {
      socket.destroy();
    });
    const parsed = this.#parse(request);
    const route = parsed === undefined ? undefined : this.#routes.get(parsed.path);
    if (parsed === undefined || route?.kind !== 'websocket' || route.websocket === undefined) {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    const refusal = refusalOf(request, parsed.url, this.#guard, true);
    if (refusal !== undefined) {
      this.#reportRefused(route, refusal);
      refuseUpgrade(socket, refusal.status, refusal.text);
      return;
    }
    if (
      this.#sockets.size + this.#upgrading >= this.#maxWebSockets ||
      this.#closing !== undefined
    ) {
      route.report?.(
        'DATALOGD_ERR_WEB_CLIENTS_FULL',
        `refused a connection to ${parsed.path}: the web server holds its maximum of ${this.#maxWebSockets} connections`,
      );
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const handler = route.websocket;
    this.#upgrading += 1;
    this.#webSocketServer().then(
      (wss) => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          this.#upgrading -= 1;
          this.#track(ws);
          handler(ws, request);
        });
      },
      (err: unknown) => {
        this.#upgrading -= 1;
        this.#log.error(`Cannot accept WebSocket connections: ${errorMessage(err)}`);
        refuseUpgrade(socket, 500, 'Internal Server Error');
      },
    );
  }

  #webSocketServer(): Promise<WebSocketServer> {
    this.#webSockets ??= import('ws').then(
      ({ WebSocketServer: Wss }) =>
        new Wss({
          noServer: true,
          maxPayload: MAX_INCOMING_MESSAGE_BYTES,
          perMessageDeflate: false,
          clientTracking: false,
        }),
    );
    return this.#webSockets;
  }

  #track(ws: WebSocket): void {
    const state = { alive: true };
    this.#sockets.set(ws, state);
    ws.on('pong', () => {
      state.alive = true;
    });
    // A browser that sends what it should not is closed by `ws` itself; nothing to add.
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.#sockets.delete(ws);
    });
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      for (const [ws, state] of this.#sockets) {
        if (!state.alive) {
          ws.terminate();
          continue;
        }
        state.alive = false;
        ws.ping();
      }
    }, this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  #parse(request: IncomingMessage): { url: URL; path: string } | undefined {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      return { url, path: decodeURIComponent(url.pathname) };
    } catch {
      return undefined;
    }
  }

  #reportRefused(route: Route | undefined, refusal: Refusal): void {
    const report = route?.report ?? this.#reporters.values().next().value;
    report?.('DATALOGD_ERR_WEB_REFUSED', `refused a request with ${refusal.why}`);
  }

  /** The longest prefix route that `path` is below, if any. */
  #prefixRoute(path: string): Route | undefined {
    let best: { length: number; route: Route } | undefined;
    for (const [routePath, route] of this.#routes) {
      if (!route.prefix || !path.startsWith(routePath) || path === routePath) continue;
      if (best === undefined || routePath.length > best.length) {
        best = { length: routePath.length, route };
      }
    }
    return best?.route;
  }

  #indexRoute(): Route {
    const entries = [...this.#routes]
      .filter(([, r]) => r.title !== undefined)
      .map(([path, r]) => ({ path, title: r.title ?? path }));
    return {
      kind: 'http',
      http: (_request, response) => {
        html(response, indexPage(entries));
      },
      title: undefined,
      report: undefined,
      shared: false,
      prefix: false,
      users: 1,
    };
  }

  async #closeAll(): Promise<void> {
    this.#stop.abort();
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const sockets = [...this.#sockets.keys()];
    for (const ws of sockets) ws.close(1001, 'datalogd is stopping');
    if (sockets.length > 0) {
      const closed = Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((resolve) => {
              ws.once('close', () => {
                resolve();
              });
            }),
        ),
      );
      await Promise.race([closed, sleep(CLOSE_GRACE_MS)]);
      for (const ws of sockets) ws.terminate();
    }
    if (!this.#http.listening) return;
    await new Promise<void>((resolve) => {
      this.#http.close(() => {
        resolve();
      });
      this.#http.closeAllConnections();
    });
  }
}
