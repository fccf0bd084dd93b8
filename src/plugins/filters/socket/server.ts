import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Backoff } from '../../../core/backoff.js';
import type { Frame } from '../../../io/codec.js';
import { Connection, formatPeer, type ConnectionContext } from './connection.js';

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly closeGraceMs: number;
}

/**
 * The server role: listens, accepts clients up to a limit, sends every outgoing frame to
 * every client, and retries a failed bind with backoff for as long as the node runs.
 */
export class SocketServer {
  readonly #settings: ServerSettings;
  readonly #context: ConnectionContext;
  readonly #connections = new Set<Connection>();
  readonly #backoff: Backoff;
  #server: Server | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #bindFailures = 0;

  constructor(settings: ServerSettings, context: ConnectionContext) {
    this.#settings = settings;
    this.#context = context;
    this.#backoff = new Backoff({ minMs: settings.retryMinMs, maxMs: settings.retryMaxMs });
  }

  /** The bound address once listening (useful with port 0). */
  get address(): AddressInfo | undefined {
    if (this.#server?.listening !== true) return undefined;
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  start(): void {
    this.#listen();
  }

  /** Sends one encoded frame to every client; a peer whose send buffer is full misses it. */
  send(frame: Frame): void {
    const counters = this.#context.counters;
    const oneMessagePerConnection = this.#context.delimiter === null;
    let peers = 0;
    for (const conn of this.#connections) {
      if (conn.isEnded()) continue;
      peers += 1;
      const ok = oneMessagePerConnection ? conn.writeAndEnd(frame) : conn.write(frame);
      if (ok) continue;
      counters.dropped_send_buffer_full += 1;
      this.#context.warnings.warning(
        `send buffer ${conn.peer}`,
        `${conn.peer} is not reading fast enough: ${conn.unsentBytes} bytes unsent, send_buffer_size reached; message dropped for this peer (${counters.dropped_send_buffer_full} so far).`,
      );
    }
    if (peers === 0) counters.dropped_no_connection += 1;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const server = this.#server;
    this.#server = undefined;
    const stopped =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) =>
            server.close(() => {
              resolve();
            }),
          );
    await Promise.all([...this.#connections].map((c) => c.close(this.#settings.closeGraceMs)));
    await stopped;
  }

  #listen(): void {
    if (this.#closed) return;
    const { host, port } = this.#settings;
    const server = createServer((socket) => {
      this.#accept(socket);
    });
    this.#server = server;
    server.once('error', (err: NodeJS.ErrnoException) => {
      this.#bindFailed(server, err);
    });
    server.listen(host === '' ? { port } : { host, port }, () => {
      if (this.#closed) {
        // close() came while the bind was still in progress.
        server.close();
        return;
      }
      server.removeAllListeners('error');
      server.on('error', (err) => {
        this.#context.log.error(`Server error: ${err.message}`);
      });
      this.#bindFailures = 0;
      this.#backoff.reset();
      const bound = this.address;
      const where = bound === undefined ? `${host}:${port}` : describeAddress(bound, host);
      this.#context.log.info(`Server started on ${where}.`);
    });
  }

  #bindFailed(server: Server, err: NodeJS.ErrnoException): void {
    server.close();
    if (this.#server === server) this.#server = undefined;
    if (this.#closed) return;
    this.#bindFailures += 1;
    const delay = this.#backoff.next();
    const message = `Unable to start server on ${this.#settings.host || '*'}:${this.#settings.port}: ${bindReason(err)}; retrying in ${(delay / 1000).toFixed(1)} s.`;
    if (this.#bindFailures === 1) this.#context.log.error(message);
    else this.#context.warnings.error('bind', message);
    this.#retryTimer = setTimeout(() => {
      this.#listen();
    }, delay);
  }

  #accept(socket: Socket): void {
    const counters = this.#context.counters;
    if (this.#closed || this.#connections.size >= this.#settings.maxConnections) {
      counters.connections_refused += 1;
      this.#context.warnings.warning(
        'max connections',
        `Refusing connection from ${formatPeer(socket)}: max_connections (${this.#settings.maxConnections}) reached (${counters.connections_refused} refused so far).`,
      );
      socket.destroy();
      return;
    }
    counters.connections_opened += 1;
    const conn = new Connection(socket, this.#context, (closed) => {
      this.#connections.delete(closed);
    });
    this.#connections.add(conn);
    this.#context.log.info(`Connection established with ${conn.peer}`);
  }
}

function bindReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the port is already in use';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'this machine has no such address';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name cannot be resolved';
    default:
      return err.message;
  }
}

function describeAddress(bound: AddressInfo, requestedHost: string): string {
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return requestedHost === '' ? `${host}:${bound.port} (every interface)` : `${host}:${bound.port}`;
}
