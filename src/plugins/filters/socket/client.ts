import { connect, type Socket } from 'node:net';
import { Backoff } from '../../../core/backoff.js';
import { BoundedQueue } from '../../../core/bounded-queue.js';
import { errorMessage } from '../../../core/errors.js';
import type { Frame } from '../../../io/codec.js';
import { Connection, type ConnectionContext, type Leftovers } from './connection.js';
import { CHUNK_MAX_BYTES, FrameBatch } from './frame-batch.js';
import type { OutgoingChunk } from './send-budget.js';

/**
 * A connection counts as kept, and is given messages, once it has stayed open this long
 * without an error: a server past max_connections accepts and closes within a round trip,
 * and what was written into such a connection would be lost. Python peers never reply, so
 * staying open is the only sign of a connection that works.
 */
export const KEPT_AFTER_MS = 250;

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
  /** True once the current connection has stayed up for KEPT_AFTER_MS. */
  #kept = false;
  #keptTimer: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  /** The connection whose drain the pump waits for (a lost one's never comes). */
  #waitingForDrain: Connection | undefined;

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

  /**
   * Sends one encoded frame, `bytes` long on the wire: it waits in the queue until a
   * connection has been kept (see KEPT_AFTER_MS) and takes it.
   */
  send(frame: Frame, bytes: number): void {
    if (this.#closed) {
      this.#context.report('DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE', 'Closed; message not sent');
      return;
    }
    this.#enqueue(frame, bytes);
    const conn = this.#keptConnection();
    if (conn === undefined) return;
    if (this.#context.delimiter === null) this.#sendOnePerConnection(conn);
    else if (!this.#pumpScheduled) {
      // Frames of one turn of the event loop leave together, in one chunk.
      this.#pumpScheduled = true;
      process.nextTick(() => {
        this.#pumpScheduled = false;
        this.#pump();
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#connecting?.destroy();
    clearTimeout(this.#keptTimer);
    const conn = this.#connection;
    if (conn !== undefined) {
      // Give what is queued its chance to leave, within the same grace period; what the
      // connection still holds when it is cut off comes back to the queue, counted below.
      if (this.#keptConnection() !== undefined) this.#handOverAll(conn);
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
    this.#context.counters.connections_opened += 1;
    this.#kept = false;
    const conn = new Connection(socket, this.#context, (closed, leftovers) => {
      this.#disconnected(closed, leftovers);
    });
    this.#connection = conn;
    this.#context.connectionLog.info(`Connection established with ${conn.peer}`);
    if (this.#context.delimiter === null) {
      // Connection framing: the connection is the message, and closes after it.
      this.#kept = true;
      this.#context.health(true);
      this.#sendOnePerConnection(conn);
      return;
    }
    // A server that accepts and closes at once (max_connections reached) must not take
    // messages with it: nothing is written until the connection has stayed up a moment.
    this.#keptTimer = setTimeout(() => {
      this.#keptTimer = undefined;
      if (this.#connection !== conn || conn.isEnded()) return;
      this.#kept = true;
      this.#context.health(true);
      this.#failuresInARow = 0;
      this.#backoff.succeeded();
      this.#pump();
    }, KEPT_AFTER_MS);
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

  #disconnected(conn: Connection, leftovers: Leftovers): void {
    if (this.#connection !== conn) return;
    this.#connection = undefined;
    clearTimeout(this.#keptTimer);
    this.#keptTimer = undefined;
    const wasKept = this.#kept;
    this.#kept = false;
    this.#takeBack(conn, leftovers);
    if (this.#closed) return;
    if (!wasKept) {
      // A server that accepts and drops at once gets the backoff, so this never spins.
      this.#connectFailed(
        new Error(
          `it closed the connection within ${KEPT_AFTER_MS} ms (max_connections reached?); ${this.#queue.length} message(s) stay queued`,
        ),
      );
      return;
    }
    // With connection framing every message closes its own connection: that is no outage.
    if (this.#context.delimiter !== null) {
      const { host, port } = this.#settings;
      this.#context.health(false, `connection to ${host}:${port} lost; reconnecting`);
    }
    // The first retry after a connection that was kept is immediate.
    this.#retryTimer = setTimeout(() => {
      this.#connect();
    }, 0);
  }

  /**
   * What a lost connection still held: frames it never handed to the socket go back to the
   * front of the queue; bytes handed to the socket but not written to the kernel are gone
   * with it, and counted.
   */
  #takeBack(conn: Connection, leftovers: Leftovers): void {
    const frames: QueuedFrame[] = [];
    for (const chunk of leftovers.unsent) {
      for (const part of chunk.parts ?? []) frames.push(part as QueuedFrame);
    }
    if (frames.length > 0) {
      this.#context.counters.requeued += frames.length;
      const dropped = this.#queue.unshift(frames);
      if (dropped > 0) this.#queueFull(dropped);
    }
    if (leftovers.inFlightMessages > 0) {
      this.#context.report(
        'DATALOGD_ERR_SOCKET_LOST_IN_FLIGHT',
        `The connection with ${conn.peer} was lost with ${leftovers.inFlightMessages} message(s) handed to it but not yet to the operating system; they are lost`,
        { count: leftovers.inFlightMessages },
      );
    }
  }

  #keptConnection(): Connection | undefined {
    const conn = this.#connection;
    return this.#kept && conn !== undefined && !conn.isEnded() ? conn : undefined;
  }

  #enqueue(frame: Frame, bytes: number): void {
    const dropped = this.#queue.push({ frame, bytes }, bytes);
    if (dropped > 0) this.#queueFull(dropped);
  }

  #queueFull(dropped: number): void {
    this.#context.report(
      'DATALOGD_ERR_SOCKET_QUEUE_FULL',
      `Queue full while the server is unreachable or slow (queue_size ${this.#settings.queueFrames}, queue_bytes ${this.#settings.queueBytes}); dropped the oldest message(s)`,
      { count: dropped },
    );
  }

  /**
   * Moves queued frames, a chunk at a time, to the connection while it wants more; frames
   * wait in the queue (bounded by queue_size and queue_bytes) while the server is slow.
   */
  #pump(): void {
    const conn = this.#keptConnection();
    if (conn === undefined || this.#waitingForDrain === conn) return;
    const budget = this.#context.budget;
    while (this.#queue.length > 0 && conn.wantsMore) {
      const batch = new FrameBatch<QueuedFrame>(budget);
      for (const queued of this.#queue.take(Infinity, CHUNK_MAX_BYTES)) {
        if (conn.exceedsSendBuffer(queued.bytes)) this.#sendBufferFull(conn, queued.bytes);
        else batch.add(queued.frame, queued.bytes, queued);
      }
      const chunk = batch.seal();
      if (chunk === undefined) continue;
      budget.makeRoom(chunk.bytes);
      // wantsMore held, so only the send buffer can refuse, and the frames fit it one by one.
      if (!conn.write(chunk)) this.#queue.unshift(chunk.parts ?? []);
    }
    if (this.#queue.length === 0 || conn.isEnded()) return;
    this.#waitingForDrain = conn;
    conn.whenDrained(() => {
      if (this.#waitingForDrain === conn) this.#waitingForDrain = undefined;
      this.#pump();
    });
  }

  /** On close: everything queued goes to the connection, as far as its send buffer allows. */
  #handOverAll(conn: Connection): void {
    const budget = this.#context.budget;
    while (this.#queue.length > 0 && !conn.isEnded()) {
      if (this.#context.delimiter === null) return;
      const batch = new FrameBatch<QueuedFrame>(budget);
      for (const queued of this.#queue.take(Infinity, CHUNK_MAX_BYTES)) {
        batch.add(queued.frame, queued.bytes, queued);
      }
      const chunk = batch.seal();
      if (chunk === undefined) continue;
      if (!conn.write(chunk)) {
        this.#queue.unshift(chunk.parts ?? []);
        return;
      }
    }
  }

  #sendOnePerConnection(conn: Connection): void {
    const next = this.#queue.shift();
    if (next === undefined) return;
    const batch = new FrameBatch(this.#context.budget);
    batch.add(next.frame, next.bytes);
    const chunk = batch.seal() as OutgoingChunk;
    if (!conn.writeAndEnd(chunk)) this.#sendBufferFull(conn, next.bytes);
  }

  #sendBufferFull(conn: Connection, bytes: number): void {
    this.#context.report(
      'DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL',
      `A message of ${bytes} bytes is larger than send_buffer_size for ${conn.peer}; message dropped`,
    );
  }
}
