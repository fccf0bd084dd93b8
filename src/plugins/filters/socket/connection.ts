import type { Socket } from 'node:net';
import type { Logger } from '../../../core/log.js';
import type { RateLimitedLog } from '../../../core/rate-limit.js';
import type { DecodeResult, Frame, RunDecoder } from '../../../io/codec.js';
import type { SocketCounters } from './counters.js';
import { ConnectionFramer, DelimiterFramer } from '../../../io/framing.js';

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
  readonly counters: SocketCounters;
  readonly log: Logger;
  readonly warnings: RateLimitedLog;
  /** Decoded data from the peer, to be sent on to the node's sinks. */
  readonly deliver: (data: unknown) => void;
}

/**
 * One TCP connection: frames and decodes what arrives, and writes what is sent within a
 * bound on unsent bytes. Frames written in one turn of the event loop leave in a single
 * socket write, which is what lets a relay keep up with a producer that batches.
 */
export class Connection {
  readonly peer: string;
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #framer: DelimiterFramer | ConnectionFramer;
  readonly #openedAt = Date.now();
  #pending: Frame[] = [];
  /** Size of what is pending: bytes, or characters for text frames until they are written. */
  #pendingBytes = 0;
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

  /** True when `frame` alone is larger than the send buffer, so it can never be sent. */
  exceedsSendBuffer(frame: Frame): boolean {
    return frame.length > this.#context.sendBufferBytes;
  }

  /** Whether anything was received or sent, and for how long the connection has been up. */
  get usefulness(): { transferred: boolean; ageMs: number } {
    return { transferred: this.#transferred, ageMs: Date.now() - this.#openedAt };
  }

  /** Bytes accepted for this peer but not yet handed to the operating system. */
  get unsentBytes(): number {
    return this.#socket.writableLength + this.#pendingBytes;
  }

  /** Queues `frame` for this peer; false (and nothing queued) when the send buffer is full. */
  write(frame: Frame): boolean {
    if (this.isEnded()) return false;
    if (
      this.#socket.writableLength + this.#pendingBytes + frame.length >
      this.#context.sendBufferBytes
    ) {
      return false;
    }
    this.#pending.push(frame);
    this.#pendingBytes += frame.length;
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
  writeAndEnd(frame: Frame): boolean {
    if (!this.write(frame)) return false;
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
    const data = this.#pendingText
      ? pending.join('')
      : Buffer.concat(pending.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
    this.#context.counters.messages_out += pending.length;
    this.#context.counters.bytes_out +=
      typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingText = true;
    this.#socket.write(data);
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
    const context = this.#context;
    context.counters.dropped_oversize += 1;
    context.warnings.warning(
      `oversize ${this.peer}`,
      `Data block from ${this.peer} exceeded buffer size: ${bytes} bytes > buffer_size ${context.maxMessageBytes}; the message was discarded (${context.counters.dropped_oversize} so far).`,
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
      context.counters.undecodable += 1;
      context.warnings.warning(
        `undecodable ${this.peer}`,
        `Failed to decode data from ${this.peer} as ${context.encodingName}; leaving it as raw bytes (${context.counters.undecodable} so far).`,
      );
    } else if (result.kind === 'not-json') {
      context.counters.not_json += 1;
      context.warnings.warning(
        `not-json ${this.peer}`,
        `Failed to decode data from ${this.peer} as JSON structure; passing it on as text (${context.counters.not_json} so far).`,
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
