/**
 * What stands between a node and one browser connection (a plot page, a tap watcher): a
 * bounded queue of messages, handed to the socket only while the socket's own buffer is
 * below a high-water mark. A client that stops reading therefore costs at most the queue's
 * bytes plus the high-water mark, never more; one that stays above the mark for the stall
 * time, or (with `whenFull: 'disconnect'`) lets its queue fill, is disconnected and
 * counted. Pages resynchronise when they reconnect, so dropping them loses nothing.
 */
import { BoundedQueue, utf8Bytes } from '../../core/bounded-queue.js';
import type { ReportProblem } from '../../core/node.js';

/** The part of a `ws` WebSocket the queue uses (a test double implements just this). */
export interface MessageSocket {
  /** Bytes accepted by `send` and not yet written to the operating system. */
  readonly bufferedAmount: number;
  /** 1 while open, as WebSocket.OPEN. */
  readonly readyState: number;
  send(data: string, callback: (err?: Error) => void): void;
  /** Closes at once, without the closing handshake (which would wait behind the backlog). */
  terminate(): void;
}

const OPEN = 1;

export interface ClientQueueOptions {
  /** Messages waiting at most. */
  readonly maxMessages: number;
  /** Bytes waiting at most (UTF-8). */
  readonly maxBytes: number;
  /** Nothing more is handed to the socket while its buffer holds more than this. */
  readonly highWaterBytes: number;
  /**
   * A socket whose buffer stays above the mark this long without finishing a single write
   * is dropped: it stopped reading (a slow reader keeps finishing).
   */
  readonly stallMs: number;
  /**
   * What a full queue does: drop its oldest messages (counted as missed, for a watcher
   * that wants what is newest), or disconnect the client (for a page that resynchronises).
   */
  readonly whenFull: 'drop-oldest' | 'disconnect';
  /** The owner's problem path. */
  readonly report: ReportProblem;
  /** Who the client is, for log lines: "a plot page". Never a peer address. */
  readonly describe: string;
  /**
   * Messages that go before anything queued, pulled one at a time while the socket has
   * room (a backlog made on demand, so that it is never held whole). Returns undefined
   * when it has nothing more; it is not called again after that.
   */
  readonly first?: () => string | undefined;
  /**
   * With `whenFull: 'drop-oldest'`, the message that tells the client what it missed: sent
   * in place of the gap, before the first message queued after it, with the total missed.
   */
  readonly missedNote?: (missedTotal: number) => string;
}

export class ClientQueue {
  readonly #socket: MessageSocket;
  readonly #options: ClientQueueOptions;
  readonly #queue: BoundedQueue<string>;
  #first: (() => string | undefined) | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  /** Writes the socket finished so far: progress, which a stalled reader makes none of. */
  #written = 0;
  #writtenAtArming = 0;
  #stopped = false;
  #sentMessages = 0;
  /** Messages dropped for this client so far, and those not yet told in a note. */
  #missed = 0;
  #unnoted = 0;

  constructor(socket: MessageSocket, options: ClientQueueOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#first = options.first;
    this.#queue = new BoundedQueue<string>(
      { maxItems: options.maxMessages, maxBytes: options.maxBytes },
      utf8Bytes,
    );
  }

  /** Messages waiting now. */
  get length(): number {
    return this.#queue.length;
  }

  /** Bytes waiting now, in this queue (the socket's own buffer not included). */
  get bytes(): number {
    return this.#queue.bytes;
  }

  /** Messages handed to the socket so far. */
  get sent(): number {
    return this.#sentMessages;
  }

  /** Messages dropped for this client (its queue was full) so far. */
  get missed(): number {
    return this.#missed;
  }

  /** False once the client was dropped or `stop()` was called. */
  get active(): boolean {
    return !this.#stopped;
  }

  /** Queues a message (its size measured once, here) and sends what the socket has room for. */
  push(message: string, bytes: number = utf8Bytes(message)): void {
    if (this.#stopped) return;
    const { maxMessages, maxBytes } = this.#options;
    const full = this.#queue.length + 1 > maxMessages || this.#queue.bytes + bytes > maxBytes;
    if (full && this.#options.whenFull === 'disconnect') {
      this.#drop(
        `fell ${this.#queue.length} messages (${this.#queue.bytes} bytes) behind and was disconnected; it resynchronises when it reconnects`,
      );
      return;
    }
    const dropped = this.#queue.push(message, bytes);
    if (dropped > 0) {
      this.#missed += dropped;
      this.#unnoted += dropped;
      this.#options.report(
        'DATALOGD_ERR_WEB_QUEUE_FULL',
        `${this.#options.describe} reads too slowly: dropped ${dropped} of its oldest messages`,
        { count: dropped },
      );
    }
    this.pump();
  }

  /** Hands waiting messages to the socket while it has room; called again as writes finish. */
  pump(): void {
    if (this.#stopped) return;
    const socket = this.#socket;
    if (socket.readyState !== OPEN) {
      this.#checkStall();
      return;
    }
    while (socket.bufferedAmount <= this.#options.highWaterBytes) {
      const message = this.#next();
      if (message === undefined) break;
      this.#sentMessages += 1;
      socket.send(message, this.#onSent);
    }
    this.#checkStall();
  }

  /** Stops sending and forgets what waits (the socket closed). Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#first = undefined;
    this.#queue.clear();
    if (this.#stallTimer !== undefined) clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }

  #next(): string | undefined {
    if (this.#first !== undefined) {
      const message = this.#first();
      if (message !== undefined) return message;
      this.#first = undefined;
    }
    const note = this.#options.missedNote;
    if (this.#unnoted > 0 && note !== undefined) {
      this.#unnoted = 0;
      return note(this.#missed);
    }
    return this.#queue.shift();
  }

  readonly #onSent = (err?: Error): void => {
    if (err !== undefined) return;
    this.#written += 1;
    this.pump();
  };

  #checkStall(): void {
    // Over the mark is enough, messages waiting or not: a reader that stopped while the feed
    // paused still holds a full socket buffer, and is dropped rather than kept forever.
    const over = this.#socket.bufferedAmount > this.#options.highWaterBytes;
    if (over) {
      if (this.#stallTimer === undefined) {
        this.#writtenAtArming = this.#written;
        this.#stallTimer = setTimeout(this.#onStallTimer, this.#options.stallMs);
      }
    } else if (this.#stallTimer !== undefined) {
      clearTimeout(this.#stallTimer);
      this.#stallTimer = undefined;
    }
  }

  readonly #onStallTimer = (): void => {
    this.#stallTimer = undefined;
    if (this.#stopped) return;
    const progressed = this.#written !== this.#writtenAtArming;
    if (progressed) {
      this.#checkStall();
    } else if (this.#socket.bufferedAmount > this.#options.highWaterBytes) {
      this.#drop(
        `stopped reading (${this.#socket.bufferedAmount} bytes unsent for ${this.#options.stallMs} ms) and was disconnected; it resynchronises when it reconnects`,
      );
    } else {
      this.pump();
    }
  };

  #drop(why: string): void {
    this.stop();
    this.#options.report('DATALOGD_ERR_WEB_CLIENT_STALLED', `${this.#options.describe} ${why}`);
    this.#socket.terminate();
  }
}
