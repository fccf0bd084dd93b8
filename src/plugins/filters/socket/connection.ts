import type { Socket } from 'node:net';
import { RUNTIME_EVENTS } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { ReportProblem } from '../../../core/node.js';
import type { DecodeResult, RunDecoder } from '../../../io/codec.js';
import { ConnectionFramer, DelimiterFramer } from '../../../io/framing.js';
import type { BudgetedQueue, OutgoingChunk, SendBudget } from './send-budget.js';

/**
 * The flow counters of a SocketDataFilter, in the order its status line shows them; what is
 * lost is counted by the runtime events instead (see RUNTIME_EVENTS).
 */
export const FLOW_COUNTERS = [
  'messages_in',
  'bytes_in',
  'messages_out',
  'bytes_out',
  'connections_opened',
  /** Empty messages (two delimiters in a row), skipped as nothing to deliver. */
  'dropped_empty',
  /** Client: messages taken back into the queue from a connection that was lost or refused. */
  'requeued',
] as const;

/**
 * The counters of the two events that are reported once per stretch (an outage, a time
 * without clients) and counted without a log line for the rest of it: each is a normal,
 * lasting state that would otherwise log a line per message or per retry.
 */
export const STRETCH_COUNTERS = [
  RUNTIME_EVENTS.DATALOGD_ERR_SOCKET_NO_CONNECTION.counter,
  RUNTIME_EVENTS.DATALOGD_ERR_SOCKET_CONNECT.counter,
] as const;

export type SocketCounters = Record<
  (typeof FLOW_COUNTERS)[number] | (typeof STRETCH_COUNTERS)[number],
  number
>;

/** What every connection of one node shares. */
export interface ConnectionContext {
  /** `null` selects connection framing: one message per connection. */
  readonly delimiter: Buffer | null;
  readonly maxMessageBytes: number;
  readonly sendBufferBytes: number;
  /** The process-wide bound on bytes waiting to be sent, shared by every connection. */
  readonly budget: SendBudget;
  /** A peer that takes nothing for this long while bytes wait for it is disconnected. */
  readonly stallTimeoutMs: number;
  readonly encodingName: string;
  readonly decode: (message: Buffer) => DecodeResult;
  /** Decodes several messages at once, where the encoding and delimiter allow it. */
  readonly decodeRun: RunDecoder | undefined;
  /** The node's counters: incremented in place, read by its stats(). */
  readonly counters: SocketCounters;
  /** The node's log, for what is not a problem. */
  readonly log: Logger;
  /**
   * Rate-limited info lines for connections made and lost, so that connection churn cannot
   * flood the log (a summary says how many were held back).
   */
  readonly connectionLog: { info(message: string): void };
  /** The node's runtime-problem path: counts, and logs rate-limited per code. */
  readonly report: ReportProblem;
  /** Decoded data from the peer, to be sent on to the node's sinks. */
  readonly deliver: (data: unknown) => void;
  /** Whether the endpoint is doing its job (listening; connected), for `/health`. */
  readonly health: (ok: boolean, detail?: string) => void;
}

/** What a connection still held for its peer when it closed. */
export interface Leftovers {
  /** Chunks never handed to the socket, in order (already released from the budget). */
  readonly unsent: readonly OutgoingChunk[];
  /** Messages handed to the socket whose bytes had not reached the kernel yet. */
  readonly inFlightMessages: number;
}

/**
 * One TCP connection: frames and decodes what arrives, and sends chunks (see
 * OutgoingChunk) within a bound on unsent bytes.
 *
 * Outgoing chunks wait in this connection's own queue and are handed to the socket only
 * while it takes them (until it asks for a drain), so that what a slow peer costs is the
 * queue, which can be dropped (for the process-wide budget) or returned (a client requeues
 * it), rather than bytes inside Node's stream that nothing can take back. A chunk counts
 * from the moment it is accepted until the socket reports its bytes written to the kernel.
 */
export class Connection implements BudgetedQueue {
  readonly peer: string;
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #framer: DelimiterFramer | ConnectionFramer;
  /** Chunks accepted, not handed to the socket yet, oldest first. */
  #queue: OutgoingChunk[] = [];
  #queuedBytes = 0;
  /** Chunks handed to the socket whose write has not completed, oldest first. */
  #inFlight: OutgoingChunk[] = [];
  #inFlightBytes = 0;
  /** When the peer last took bytes, or when bytes started waiting for it. */
  #lastProgress = Date.now();
  /** Bytes were dropped for this peer since it last took any: it is behind, not idle. */
  #behind = false;
  /** The budget dropped this peer's queue, and it has taken nothing since. */
  #droppedForBudget = false;
  #ended = false;
  readonly closed: Promise<void>;

  constructor(
    socket: Socket,
    context: ConnectionContext,
    onClose: (conn: Connection, leftovers: Leftovers) => void,
  ) {
    this.#socket = socket;
    this.#context = context;
    this.peer = formatPeer(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    this.#framer =
      context.delimiter === null
        ? new ConnectionFramer({ maxMessageBytes: context.maxMessageBytes })
        : new DelimiterFramer({
            delimiter: context.delimiter,
            maxMessageBytes: context.maxMessageBytes,
            onMessage: (message) => {
              this.#receive(message);
            },
            onOversize: (bytes) => {
              this.#oversize(bytes);
            },
            onEmpty: () => {
              context.counters.dropped_empty += 1;
            },
            ...(context.decodeRun === undefined
              ? {}
              : {
                  onRun: (run: Buffer, count: number) => {
                    this.#receiveRun(run, count);
                  },
                }),
          });
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('end', () => {
      this.#onEnd();
    });
    socket.on('drain', () => {
      this.#pump();
    });
    socket.on('error', (err) => {
      context.connectionLog.info(`Connection with ${this.peer} failed: ${err.message}`);
    });
    context.budget.register(this);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        context.budget.unregister(this);
        const leftovers = this.#releaseAll();
        context.connectionLog.info(`Connection with ${this.peer} closed.`);
        onClose(this, leftovers);
        resolve();
      });
    });
  }

  /** True once this connection has been closed or (connection framing) has sent its message. */
  isEnded(): boolean {
    return this.#ended || this.#socket.destroyed;
  }

  /** True when a frame of `bytes` alone is larger than the send buffer, so it can never be sent. */
  exceedsSendBuffer(bytes: number): boolean {
    return bytes > this.#context.sendBufferBytes;
  }

  /** Bytes accepted for this peer but not yet handed to the operating system. */
  get unsentBytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /** Bytes waiting in this connection's queue (the budget's measure of slowness). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * True once the process-wide budget dropped this peer's queue, until it takes bytes
   * again: such a peer is given nothing new, so that it cannot pin fresh chunks.
   */
  get droppedForBudget(): boolean {
    return this.#droppedForBudget;
  }

  /** True when nothing waits here and the socket takes more: the time to hand it more. */
  get wantsMore(): boolean {
    return !this.isEnded() && this.#queue.length === 0 && !this.#socket.writableNeedDrain;
  }

  /**
   * Accepts `chunk` for this peer; false (and nothing accepted) when the connection has
   * ended or its send buffer (`send_buffer_size`) would overflow.
   */
  write(chunk: OutgoingChunk): boolean {
    if (this.isEnded()) return false;
    const unsent = this.#queuedBytes + this.#inFlightBytes;
    if (unsent + chunk.bytes > this.#context.sendBufferBytes) {
      this.#behind = true;
      return false;
    }
    if (unsent === 0 && !this.#behind) this.#lastProgress = Date.now();
    chunk.hold();
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.bytes;
    this.#pump();
    return true;
  }

  /** Connection framing: `chunk` is the whole message; our side closes after it. */
  writeAndEnd(chunk: OutgoingChunk): boolean {
    if (!this.write(chunk)) return false;
    this.#pump(true);
    this.#ended = true;
    this.#socket.end();
    return true;
  }

  /** Calls `callback` once this connection wants more (see wantsMore), or has ended. */
  whenDrained(callback: () => void): void {
    if (this.#socket.writableNeedDrain) this.#socket.once('drain', callback);
    else setImmediate(callback);
  }

  /** Drops what waits in the queue for this (slow) peer: the process-wide budget is full. */
  dropQueued(): void {
    const dropped = this.#queue;
    if (dropped.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#behind = true;
    this.#droppedForBudget = true;
    let messages = 0;
    for (const chunk of dropped) {
      messages += chunk.messages;
      chunk.release();
    }
    this.#context.report(
      'DATALOGD_ERR_SOCKET_SEND_BUDGET',
      `The send budget of the process (send_budget_bytes ${this.#context.budget.limit}) is full; dropped ${messages} message(s) waiting for ${this.peer}, the slowest peer`,
      { count: messages },
    );
  }

  /** Disconnects a peer that has taken no bytes for the stall timeout while some waited. */
  checkStalled(now: number): void {
    if (this.isEnded() || (this.unsentBytes === 0 && !this.#behind)) return;
    const idleMs = now - this.#lastProgress;
    if (idleMs < this.#context.stallTimeoutMs) return;
    this.#context.report(
      'DATALOGD_ERR_SOCKET_STALLED',
      `${this.peer} has read nothing for ${(idleMs / 1000).toFixed(1)} s (stall_timeout) with ${this.unsentBytes} bytes waiting; disconnected`,
    );
    this.destroy();
  }

  /** Sends what is pending, closes our side, and waits up to `graceMs` before cutting it off. */
  async close(graceMs: number): Promise<void> {
    this.#pump(true);
    this.#ended = true;
    this.#socket.end();
    const timer = setTimeout(() => this.#socket.destroy(), graceMs);
    try {
      await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.#ended = true;
    this.#socket.destroy();
  }

  /** Hands queued chunks to the socket while it takes them (all of them when `force`). */
  #pump(force = false): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    const counters = this.#context.counters;
    while (this.#queue.length > 0 && (force || !socket.writableNeedDrain)) {
      const chunk = this.#queue.shift() as OutgoingChunk;
      this.#queuedBytes -= chunk.bytes;
      this.#inFlight.push(chunk);
      this.#inFlightBytes += chunk.bytes;
      counters.messages_out += chunk.messages;
      counters.bytes_out += chunk.bytes;
      // Node calls back a write cut short by destroy() without an error, so a write that
      // completes on a destroyed socket is taken as not written: counted as lost in flight.
      socket.write(chunk.buffer, (err) => {
        if ((err === undefined || err === null) && !socket.destroyed) this.#written(chunk);
      });
    }
  }

  /** The socket wrote `chunk` to the kernel; after 'close' the account is already empty. */
  #written(chunk: OutgoingChunk): void {
    if (this.#inFlight[0] !== chunk) return;
    this.#inFlight.shift();
    this.#inFlightBytes -= chunk.bytes;
    this.#lastProgress = Date.now();
    this.#behind = false;
    this.#droppedForBudget = false;
    chunk.release();
  }

  /** Gives back every chunk held for the peer: memory for a departed peer is released. */
  #releaseAll(): Leftovers {
    const unsent = this.#queue;
    let inFlightMessages = 0;
    for (const chunk of unsent) chunk.release();
    for (const chunk of this.#inFlight) {
      inFlightMessages += chunk.messages;
      chunk.release();
    }
    this.#queue = [];
    this.#inFlight = [];
    this.#queuedBytes = 0;
    this.#inFlightBytes = 0;
    return { unsent, inFlightMessages };
  }

  #onData(chunk: Buffer): void {
    this.#context.counters.bytes_in += chunk.length;
    const framer = this.#framer;
    if (framer instanceof DelimiterFramer) {
      framer.push(chunk);
    } else if (!framer.push(chunk)) {
      this.#oversize(framer.receivedBytes);
      this.destroy();
    }
  }

  #onEnd(): void {
    // The peer is closing; our side closes once pending bytes are out, so send nothing new.
    this.#ended = true;
    const framer = this.#framer;
    if (framer instanceof ConnectionFramer) {
      if (framer.oversize) return;
      const message = framer.end();
      if (message !== undefined) this.#receive(message);
      return;
    }
    const trailing = framer.end();
    if (trailing !== undefined) {
      this.#context.connectionLog.info(
        `Connection with ${this.peer} closed with ${trailing.length} bytes after the last delimiter; processing them as one last message.`,
      );
      this.#receive(trailing);
    }
  }

  #oversize(bytes: number): void {
    this.#context.report(
      'DATALOGD_ERR_SOCKET_OVERSIZE',
      `Data block from ${this.peer} exceeded buffer size: ${bytes} bytes > buffer_size ${this.#context.maxMessageBytes}; the message was discarded`,
    );
  }

  #receive(message: Buffer): void {
    this.#context.counters.messages_in += 1;
    this.#handle(this.#context.decode(message));
  }

  #receiveRun(run: Buffer, count: number): void {
    this.#context.counters.messages_in += count;
    (this.#context.decodeRun as RunDecoder)(run, count, this.#handle);
  }

  /** An arrow field, so a run decoder can call it directly for each message. */
  readonly #handle = (result: DecodeResult): void => {
    const context = this.#context;
    if (result.kind === 'undecodable') {
      context.report(
        'DATALOGD_ERR_SOCKET_UNDECODABLE',
        `Failed to decode data from ${this.peer} as ${context.encodingName}; leaving it as raw bytes`,
      );
    } else if (result.kind === 'not-json') {
      context.report(
        'DATALOGD_ERR_SOCKET_NOT_JSON',
        `Failed to decode data from ${this.peer} as JSON structure; passing it on as text`,
      );
    } else if (context.log.isEnabled('debug')) {
      context.log.debug(`Received from ${this.peer}: ${JSON.stringify(result.data)}`);
    }
    context.deliver(result.data);
  };
}

export function formatPeer(socket: Socket): string {
  const address = socket.remoteAddress ?? '?';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${socket.remotePort ?? '?'}`;
}
