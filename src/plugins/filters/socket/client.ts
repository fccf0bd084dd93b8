import { connect, type Socket } from 'node:net';
import { Backoff } from '../../../core/backoff.js';
import { BoundedQueue } from '../../../core/bounded-queue.js';
import { errorMessage } from '../../../core/errors.js';
import type { Frame } from '../../../io/codec.js';
import { Connection, type ConnectionContext } from './connection.js';

/** A frame waiting for the connection, with its size on the wire, measured once. */
interface QueuedFrame {
  readonly frame: Frame;
  readonly bytes: number;
}

export interface ClientSettings {
  readonly host: string;
  readonly port: number;
  readonly queueFrames: number;
  readonly queueBytes: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly closeGraceMs: number;
}

/**
 * The client role: keeps one connection to a server for as long as the node runs,
 * reconnecting with backoff and jitter. While disconnected, outgoing frames wait in a
 * bounded queue and leave, in order and before anything newer, once connected again.
 * With connection framing every outgoing message gets a connection of its own.
 */
export class SocketClient {
  readonly #settings: ClientSettings;
  readonly #context: ConnectionContext;
  readonly #queue: BoundedQueue<QueuedFrame>;
  readonly #backoff: Backoff;
  #connection: Connection | undefined;
  #connecting: Socket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #failuresInARow = 0;
  #pumping = false;

  constructor(settings: ClientSettings, context: ConnectionContext) {
    this.#settings = settings;
    this.#context = context;
    this.#queue = new BoundedQueue(
      { maxItems: settings.queueFrames, maxBytes: settings.queueBytes },
      (queued) => queued.bytes,
    );
    this.#backoff = new Backoff({ minMs: settings.retryMinMs, maxMs: settings.retryMaxMs });
  }

  start(): void {
    const { host, port } = this.#settings;
    this.#context.health(false, `connecting to ${host}:${port}`);
    this.#connect();
  }

  /** 1 while connected, else 0. */
  get connectionCount(): number {
    return this.#connection?.isEnded() === false ? 1 : 0;
  }

  /** Bytes accepted for the server but not yet handed to the operating system. */
  get unsentBytes(): number {
    return this.#connection?.unsentBytes ?? 0;
  }

  /** Messages waiting for a connection, and their bytes. */
  get queued(): { readonly messages: number; readonly bytes: number } {
    return { messages: this.#queue.length, bytes: this.#queue.bytes };
  }

  /** Sends one encoded frame, `bytes` long on the wire, or queues it while disconnected. */
  send(frame: Frame, bytes: number): void {
    if (this.#closed) {
      this.#context.report('DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE', 'Closed; message not sent');
      return;
    }
    const conn = this.#connection?.isEnded() === false ? this.#connection : undefined;
    if (this.#context.delimiter === null) {
      this.#enqueue(frame, bytes);
      if (conn !== undefined) this.#sendOnePerConnection(conn);
      return;
    }
    if (conn !== undefined && this.#queue.length === 0) {
      if (!conn.write(frame, bytes)) this.#sendBufferFull(conn);
      return;
    }
    this.#enqueue(frame, bytes);
    if (conn !== undefined) this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#connecting?.destroy();
    const conn = this.#connection;
    if (conn !== undefined) {
      // Give what is queued its chance to leave, within the same grace period.
      this.#pump();
      await conn.close(this.#settings.closeGraceMs);
    }
    const unsent = this.#queue.clear();
    if (unsent > 0) {
      this.#context.report(
        'DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE',
        `${unsent} queued message(s) were not delivered before closing`,
        { count: unsent },
      );
    }
  }

  #connect(): void {
    if (this.#closed) return;
    const { host, port } = this.#settings;
    const socket = connect({ host, port, keepAlive: true, keepAliveInitialDelay: 15_000 });
    this.#connecting = socket;
    const onError = (err: Error): void => {
      this.#connecting = undefined;
      socket.destroy();
      this.#connectFailed(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      this.#connecting = undefined;
      this.#connected(socket);
    });
  }

  #connected(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#failuresInARow = 0;
    this.#backoff.succeeded();
    this.#context.counters.connections_opened += 1;
    this.#context.health(true);
    const conn = new Connection(socket, this.#context, (closed) => {
      this.#disconnected(closed);
    });
    this.#connection = conn;
    this.#context.log.info(`Connection established with ${conn.peer}`);
    if (this.#context.delimiter === null) this.#sendOnePerConnection(conn);
    else this.#pump();
  }

  #connectFailed(err: Error): void {
    if (this.#closed) return;
    this.#failuresInARow += 1;
    const delay = this.#backoff.next();
    const { host, port } = this.#settings;
    const message = `Unable to connect to server ${host}:${port} (${errorMessage(err)}); will keep trying`;
    this.#context.health(false, `cannot connect to ${host}:${port}: ${errorMessage(err)}`);
    // One line per outage, however many retries; every failed attempt is counted.
    if (this.#failuresInARow === 1) {
      this.#context.report('DATALOGD_ERR_SOCKET_CONNECT', message);
    } else {
      this.#context.counters.connect_failures += 1;
      this.#context.log.debug(`${message}. Next attempt in ${Math.round(delay)} ms.`);
    }
    this.#retryTimer = setTimeout(() => {
      this.#connect();
    }, delay);
  }

  #disconnected(conn: Connection): void {
    if (this.#connection === conn) this.#connection = undefined;
    if (this.#closed) return;
    // With connection framing every message closes its own connection: that is no outage.
    if (this.#context.delimiter !== null) {
      const { host, port } = this.#settings;
      this.#context.health(false, `connection to ${host}:${port} lost; reconnecting`);
    }
    // The first retry after a connection that did something is immediate; a server that
    // accepts and drops at once gets the backoff, so this never spins.
    const { transferred, ageMs } = conn.usefulness;
    const delay = transferred || ageMs >= this.#settings.retryMaxMs ? 0 : this.#backoff.next();
    this.#retryTimer = setTimeout(() => {
      this.#connect();
    }, delay);
  }

  #enqueue(frame: Frame, bytes: number): void {
    const dropped = this.#queue.push({ frame, bytes }, bytes);
    if (dropped === 0) return;
    this.#context.report(
      'DATALOGD_ERR_SOCKET_QUEUE_FULL',
      `Queue full while the server is unreachable (queue_size ${this.#settings.queueFrames}, queue_bytes ${this.#settings.queueBytes}); dropped the oldest message(s)`,
      { count: dropped },
    );
  }

  /** Writes queued frames in order, as fast as the connection takes them. */
  #pump(): void {
    const conn = this.#connection;
    if (conn === undefined || conn.isEnded() || this.#pumping) return;
    let next = this.#queue.peek();
    while (next !== undefined) {
      if (!conn.write(next.frame, next.bytes)) {
        if (conn.isEnded() || !conn.exceedsSendBuffer(next.bytes)) break;
        this.#sendBufferFull(conn);
      }
      this.#queue.shift();
      next = this.#queue.peek();
    }
    if (next === undefined || conn.isEnded()) return;
    this.#pumping = true;
    conn.whenDrained(() => {
      this.#pumping = false;
      if (this.#connection === conn) this.#pump();
    });
  }

  #sendOnePerConnection(conn: Connection): void {
    const next = this.#queue.shift();
    if (next === undefined) return;
    if (!conn.writeAndEnd(next.frame, next.bytes)) this.#sendBufferFull(conn);
  }

  #sendBufferFull(conn: Connection): void {
    this.#context.report(
      'DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL',
      `Server ${conn.peer} is not reading fast enough: ${conn.unsentBytes} bytes unsent, send_buffer_size reached; message dropped`,
    );
  }
}
