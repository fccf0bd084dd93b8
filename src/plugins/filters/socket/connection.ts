import type { Socket } from 'node:net';
import { RUNTIME_EVENTS } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { ReportProblem } from '../../../core/node.js';
import type { DecodeResult, Frame, RunDecoder } from '../../../io/codec.js';
import { ConnectionFramer, DelimiterFramer } from '../../../io/framing.js';

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
  readonly encodingName: string;
  readonly decode: (message: Buffer) => DecodeResult;
  /** Decodes several messages at once, where the encoding and delimiter allow it. */
  readonly decodeRun: RunDecoder | undefined;
  /** The node's counters: incremented in place, read by its stats(). */
  readonly counters: SocketCounters;
  /** The node's log, for what is not a problem (connections made and lost). */
  readonly log: Logger;
  /** The node's runtime-problem path: counts, and logs rate-limited per code. */
  readonly report: ReportProblem;
  /** Decoded data from the peer, to be sent on to the node's sinks. */
  readonly deliver: (data: unknown) => void;
  /** Whether the endpoint is doing its job (listening; connected), for `/health`. */
  readonly health: (ok: boolean, detail?: string) => void;
}

/**
 * One TCP connection: frames and decodes what arrives, and writes what is sent within a
 * bound on unsent bytes. Frames written in one turn of the event loop leave in a single
 * socket write, which is what lets a relay keep up with a producer that batches.
 *
 * Sizes are real bytes on the wire, measured once per frame by the caller and passed in
 * with it: a text frame's UTF-8 size can be three times its length, and the socket's own
 * `writableLength` counts a string by its length, so the bound keeps its own account of
 * what it handed to the socket until the socket says it went to the operating system.
 */
export class Connection {
  readonly peer: string;
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #framer: DelimiterFramer | ConnectionFramer;
  readonly #openedAt = Date.now();
  #pending: Frame[] = [];
  /** Bytes of the pending frames. */
  #pendingBytes = 0;
  /** Bytes written to the socket whose write has not completed yet. */
  #writingBytes = 0;
  #pendingText = true;
  #flushScheduled = false;
  #ended = false;
  #transferred = false;
  readonly closed: Promise<void>;

  constructor(socket: Socket, context: ConnectionContext, onClose: (conn: Connection) => void) {
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
    socket.on('error', (err) => {
      context.log.info(`Connection with ${this.peer} failed: ${err.message}`);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#writingBytes = 0;
        context.log.info(`Connection with ${this.peer} closed.`);
        onClose(this);
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

  /** Whether anything was received or sent, and for how long the connection has been up. */
  get usefulness(): { transferred: boolean; ageMs: number } {
    return { transferred: this.#transferred, ageMs: Date.now() - this.#openedAt };
  }

  /** Bytes accepted for this peer but not yet handed to the operating system. */
  get unsentBytes(): number {
    return this.#writingBytes + this.#pendingBytes;
  }

  /**
   * Queues `frame`, of `bytes` bytes on the wire, for this peer; false (and nothing queued)
   * when the send buffer is full.
   */
  write(frame: Frame, bytes: number): boolean {
    if (this.isEnded()) return false;
    if (this.#writingBytes + this.#pendingBytes + bytes > this.#context.sendBufferBytes) {
      return false;
    }
    this.#pending.push(frame);
    this.#pendingBytes += bytes;
    if (typeof frame !== 'string') this.#pendingText = false;
    this.#transferred = true;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(() => {
        this.#flush();
      });
    }
    return true;
  }

  /** Connection framing: `frame` is the whole message; our side closes after it. */
  writeAndEnd(frame: Frame, bytes: number): boolean {
    if (!this.write(frame, bytes)) return false;
    this.#flush();
    this.#ended = true;
    this.#socket.end();
    return true;
  }

  /** Calls `callback` once the unsent bytes have gone to the operating system. */
  whenDrained(callback: () => void): void {
    this.#flush();
    if (this.#socket.writableNeedDrain) this.#socket.once('drain', callback);
    else setImmediate(callback);
  }

  /** Sends what is pending, closes our side, and waits up to `graceMs` before cutting it off. */
  async close(graceMs: number): Promise<void> {
    this.#flush();
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

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingBytes === 0 || this.#socket.destroyed) return;
    const pending = this.#pending;
    const bytes = this.#pendingBytes;
    const data = this.#pendingText
      ? pending.join('')
      : Buffer.concat(pending.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
    this.#context.counters.messages_out += pending.length;
    this.#context.counters.bytes_out += bytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingText = true;
    this.#writingBytes += bytes;
    // One callback per flush (a turn of the event loop), not per frame. After 'close' the
    // account is already zero, and a late callback must not take it below.
    this.#socket.write(data, () => {
      if (this.#writingBytes >= bytes) this.#writingBytes -= bytes;
    });
  }

  #onData(chunk: Buffer): void {
    this.#transferred = true;
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
      this.#context.log.info(
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
