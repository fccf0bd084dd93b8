import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Backoff } from '../../../core/backoff.js';
import type { Frame } from '../../../io/codec.js';
import { Connection, formatPeer, type ConnectionContext, type Leftovers } from './connection.js';
import { CHUNK_MAX_BYTES, FrameBatch } from './frame-batch.js';
import { BEHIND_BYTES, type OutgoingChunk } from './send-budget.js';

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
  readonly #batch: FrameBatch;
  #flushScheduled = false;
  /**
   * True while messages go unsent because no client is connected: that is reported once per
   * such stretch (a server without clients is normal, Python parity), and counted for every
   * message.
   */
  #alone = false;

  constructor(settings: ServerSettings, context: ConnectionContext) {
    this.#settings = settings;
    this.#context = context;
    this.#batch = new FrameBatch(context.budget);
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

  /** Clients connected now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Bytes accepted for all clients but not yet handed to the operating system. */
  get unsentBytes(): number {
    let bytes = 0;
    for (const conn of this.#connections) bytes += conn.unsentBytes;
    return bytes;
  }

  /**
   * Sends one encoded frame, `bytes` long on the wire, to every client. The frames of one
   * turn of the event loop are encoded into one shared chunk; a peer whose send buffer is
   * full misses it.
   */
  send(frame: Frame, bytes: number): void {
    if (this.#connections.size === 0) {
      this.#unsent(1);
      return;
    }
    const batch = this.#batch;
    batch.add(frame, bytes);
    if (this.#context.delimiter === null || batch.bytes >= CHUNK_MAX_BYTES) {
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const chunk = this.#batch.seal();
    if (chunk !== undefined) this.#broadcast(chunk);
  };

  #broadcast(chunk: OutgoingChunk): void {
    const context = this.#context;
    const oneMessagePerConnection = context.delimiter === null;
    // Room is made once for the chunk, which every connection shares.
    const roomy = context.budget.makeRoom(chunk.bytes);
    let peers = 0;
    for (const conn of this.#connections) {
      if (conn.isEnded()) continue;
      peers += 1;
      // Peers that keep up still get it: the budget is for the ones that fall behind.
      if (conn.droppedForBudget || (!roomy && conn.queuedBytes >= BEHIND_BYTES)) {
        context.report(
          'DATALOGD_ERR_SOCKET_SEND_BUDGET',
          `The send budget of the process (send_budget_bytes ${context.budget.limit}) is full; ${chunk.messages} message(s) not queued for ${conn.peer}, which is behind`,
          { count: chunk.messages },
        );
        continue;
      }
      const ok = oneMessagePerConnection ? conn.writeAndEnd(chunk) : conn.write(chunk);
      if (ok) continue;
      context.report(
        'DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL',
        `${conn.peer} is not reading fast enough: ${conn.unsentBytes} bytes unsent, send_buffer_size reached; ${chunk.messages} message(s) dropped for this peer`,
        { count: chunk.messages },
      );
    }
    if (peers === 0) this.#unsent(chunk.messages);
  }

  #unsent(messages: number): void {
    if (this.#alone) {
      this.#context.counters.dropped_no_connection += messages;
      return;
    }
    this.#alone = true;
    this.#context.report(
      'DATALOGD_ERR_SOCKET_NO_CONNECTION',
      'No client is connected; messages are not sent until one connects',
      { count: messages },
    );
  }

  async close(): Promise<void> {
    this.#flush();
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
      this.#backoff.reset();
      const bound = this.address;
      const where = bound === undefined ? `${host}:${port}` : describeAddress(bound, host);
      this.#context.log.info(`Server started on ${where}.`);
      this.#context.health(true);
    });
  }

  #bindFailed(server: Server, err: NodeJS.ErrnoException): void {
    server.close();
    if (this.#server === server) this.#server = undefined;
    if (this.#closed) return;
    const delay = this.#backoff.next();
    const where = `${this.#settings.host || '*'}:${this.#settings.port}`;
    this.#context.health(false, `cannot listen on ${where}: ${bindReason(err)}`);
    this.#context.report(
      'DATALOGD_ERR_SOCKET_BIND',
      `Unable to start server on ${where}: ${bindReason(err)}; retrying in ${(delay / 1000).toFixed(1)} s`,
    );
    this.#retryTimer = setTimeout(() => {
      this.#listen();
    }, delay);
  }

  #accept(socket: Socket): void {
    if (this.#closed || this.#connections.size >= this.#settings.maxConnections) {
      this.#context.report(
        'DATALOGD_ERR_SOCKET_MAX_CONNECTIONS',
        `Refusing connection from ${formatPeer(socket)}: max_connections (${this.#settings.maxConnections}) reached`,
      );
      socket.destroy();
      return;
    }
    this.#context.counters.connections_opened += 1;
    this.#alone = false;
    const conn = new Connection(socket, this.#context, (closed, leftovers) => {
      this.#connections.delete(closed);
      this.#departed(closed, leftovers);
    });
    this.#connections.add(conn);
    this.#context.connectionLog.info(`Connection established with ${conn.peer}`);
  }

  /** What was still waiting for a peer that went away is lost for it: counted, never silent. */
  #departed(conn: Connection, leftovers: Leftovers): void {
    let messages = leftovers.inFlightMessages;
    for (const chunk of leftovers.unsent) messages += chunk.messages;
    if (messages === 0) return;
    this.#context.report(
      'DATALOGD_ERR_SOCKET_LOST_IN_FLIGHT',
      `${messages} message(s) for ${conn.peer} were not delivered: the connection closed before they reached the operating system`,
      { count: messages },
    );
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
