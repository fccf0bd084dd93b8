/**
 * Byte-level framing of a socket stream, before any decoding.
 *
 * Buffer ownership: `push(chunk)` takes the chunk over. Delivered messages may be views
 * (`subarray`) of pushed chunks (held parts of an incomplete message are copied), so a
 * chunk must not be modified after it is pushed. Socket 'data' events hand out a fresh
 * Buffer every time, so the views are safe; a caller that reuses one read buffer must push
 * a copy. The framers themselves never write into a chunk or a delivered message.
 */

import { GrowingBuffer } from './growing-buffer.js';

export interface DelimiterFramerOptions {
  /** The bytes that end a message; at least one byte. */
  readonly delimiter: Buffer;
  /** The largest message, in bytes, excluding the delimiter. */
  readonly maxMessageBytes: number;
  /** A complete, non-empty message within the limit, without its delimiter. */
  readonly onMessage: (message: Buffer) => void;
  /** A message longer than the limit was dropped whole; `bytes` is its full length. */
  readonly onOversize: (bytes: number) => void;
  /** An empty message (two delimiters in a row) was skipped. */
  readonly onEmpty: () => void;
  /**
   * Single-byte delimiters only: when given, complete messages that lie back to back in one
   * chunk, each non-empty and within the limit, arrive together as one run (the messages
   * with the delimiter between them, not after the last) so that the caller can decode them
   * with one call. Messages that do not qualify still go to the other callbacks, in order.
   */
  readonly onRun?: (run: Buffer, count: number) => void;
}

const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream at a delimiter, one instance per connection.
 *
 * Every byte is scanned once: each chunk is searched from where the current message starts
 * in it, and a multi-byte delimiter split across chunks is found by probing the last
 * `delimiter.length - 1` bytes of the message so far together with the head of the next
 * chunk. An incomplete message is copied into one growing buffer (GrowingBuffer), so a
 * message in many small chunks costs O(n) time and about one byte of memory per byte held,
 * not a Buffer object per chunk.
 *
 * A message longer than `maxMessageBytes` is dropped whole: once more bytes have arrived
 * than any message within the limit could have (`maxMessageBytes + delimiter.length - 1`,
 * allowing for a delimiter still incomplete), the held bytes are released and further bytes
 * are only counted until the delimiter. So at most that many bytes of one message are held.
 *
 * Callbacks run synchronously inside `push` and `end`, after the framer has moved past the
 * message, and should not throw: if one does, the exception propagates out of `push` and the
 * rest of that chunk is lost, but the framer stays usable from the next chunk on.
 */
export class DelimiterFramer {
  readonly #delimiter: Buffer;
  /** The delimiter as a number when it is one byte: indexOf(number) is the fastest search. */
  readonly #byte: number;
  readonly #max: number;
  /** Held bytes beyond this cannot be a message within the limit plus a partial delimiter. */
  readonly #holdLimit: number;
  readonly #onMessage: (message: Buffer) => void;
  readonly #onOversize: (bytes: number) => void;
  readonly #onEmpty: () => void;
  readonly #onRun: ((run: Buffer, count: number) => void) | undefined;

  /** The current incomplete message, copied (see GrowingBuffer). */
  readonly #pending: GrowingBuffer;
  #pendingBytes = 0;
  /** Over the limit: bytes are counted, not held, until the delimiter. */
  #discarding = false;
  #discardedBytes = 0;
  /** Multi-byte delimiters: the last (up to length - 1) bytes of the message so far. */
  readonly #carry: Buffer;
  #carryLength = 0;
  /** Multi-byte delimiters: room for the carry plus the head of the next chunk. */
  readonly #probe: Buffer;

  constructor(options: DelimiterFramerOptions) {
    const { delimiter, maxMessageBytes } = options;
    if (delimiter.length === 0) {
      throw new RangeError('DelimiterFramer needs a delimiter of at least one byte');
    }
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
    }
    this.#delimiter = Buffer.from(delimiter);
    this.#byte = delimiter.length === 1 ? (delimiter[0] ?? -1) : -1;
    this.#max = maxMessageBytes;
    this.#holdLimit = maxMessageBytes + delimiter.length - 1;
    this.#pending = new GrowingBuffer(this.#holdLimit);
    this.#onMessage = options.onMessage;
    this.#onOversize = options.onOversize;
    this.#onEmpty = options.onEmpty;
    this.#onRun = delimiter.length === 1 ? options.onRun : undefined;
    this.#carry = Buffer.alloc(delimiter.length - 1);
    this.#probe = Buffer.alloc(2 * (delimiter.length - 1));
  }

  /** Bytes of the current incomplete message held in memory (0 while discarding). */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** True while the current message is over the limit and its bytes are being dropped. */
  get discarding(): boolean {
    return this.#discarding;
  }

  /** Feeds the next bytes of the stream; see the class comment on ownership. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    let start = this.#carryLength > 0 ? this.#endAcrossBoundary(chunk) : 0;
    const byte = this.#byte;
    const width = this.#delimiter.length;
    const batching = this.#onRun !== undefined;
    let runStart = 0;
    let runCount = 0;
    for (;;) {
      const at = byte >= 0 ? chunk.indexOf(byte, start) : chunk.indexOf(this.#delimiter, start);
      if (at === -1) break;
      const length = at - start;
      if (
        batching &&
        this.#pendingBytes === 0 &&
        !this.#discarding &&
        length > 0 &&
        length <= this.#max
      ) {
        if (runCount === 0) runStart = start;
        runCount += 1;
        start = at + width;
        continue;
      }
      if (runCount > 0) {
        this.#emitRun(chunk, runStart, start - width, runCount);
        runCount = 0;
      }
      const tail = chunk.subarray(start, at);
      start = at + width;
      this.#endMessage(tail, 0);
    }
    if (runCount > 0) this.#emitRun(chunk, runStart, start - width, runCount);
    if (start < chunk.length) this.#hold(chunk, start);
  }

  #emitRun(chunk: Buffer, start: number, end: number, count: number): void {
    (this.#onRun as (run: Buffer, count: number) => void)(chunk.subarray(start, end), count);
  }

  /**
   * The stream ended. Returns the bytes after the last delimiter as one last message, if
   * there are any and they are within the limit (an oversize tail is reported through
   * `onOversize` instead). The framer is then ready for a new stream.
   */
  end(): Buffer | undefined {
    if (this.#discarding) {
      const total = this.#discardedBytes;
      this.#reset();
      this.#onOversize(total);
      return undefined;
    }
    const length = this.#pendingBytes;
    if (length === 0) return undefined;
    const message = this.#pending.take(length);
    this.#reset();
    if (length > this.#max) {
      this.#onOversize(length);
      return undefined;
    }
    return message;
  }

  /** Forgets the current incomplete message; returns how many of its bytes were dropped. */
  discard(): number {
    const dropped = this.#discarding ? this.#discardedBytes : this.#pendingBytes;
    this.#reset();
    return dropped;
  }

  /**
   * A delimiter that starts in the carried bytes and ends in `chunk` closes the current
   * message. Returns where the next message starts in `chunk` (0 when there was none).
   */
  #endAcrossBoundary(chunk: Buffer): number {
    const carried = this.#carryLength;
    const head = Math.min(chunk.length, this.#delimiter.length - 1);
    this.#carry.copy(this.#probe, 0, 0, carried);
    chunk.copy(this.#probe, carried, 0, head);
    const at = this.#probe.subarray(0, carried + head).indexOf(this.#delimiter);
    // A match starting inside the chunk is left to the normal scan.
    if (at === -1 || at >= carried) return 0;
    this.#endMessage(EMPTY, carried - at);
    return at + this.#delimiter.length - carried;
  }

  /**
   * Ends the current message: `tail` is its last part (from the current chunk) and the last
   * `trim` bytes held so far turned out to be the start of the delimiter.
   */
  #endMessage(tail: Buffer, trim: number): void {
    if (this.#discarding) {
      const total = this.#discardedBytes + tail.length - trim;
      this.#reset();
      this.#onOversize(total);
      return;
    }
    const length = this.#pendingBytes + tail.length - trim;
    if (length > this.#max) {
      this.#reset();
      this.#onOversize(length);
      return;
    }
    if (length === 0) {
      this.#reset();
      this.#onEmpty();
      return;
    }
    let message: Buffer;
    if (this.#pendingBytes === 0) message = tail;
    else {
      this.#pending.append(tail);
      // Taking less than was held drops the trimmed start of the delimiter.
      message = this.#pending.take(length);
    }
    this.#reset();
    this.#onMessage(message);
  }

  /** Keeps `chunk[start..]`, the start of a message whose delimiter has not arrived yet. */
  #hold(chunk: Buffer, start: number): void {
    const rest = chunk.length - start;
    if (this.#discarding) {
      this.#discardedBytes += rest;
    } else if (this.#pendingBytes + rest > this.#holdLimit) {
      this.#discarding = true;
      this.#discardedBytes = this.#pendingBytes + rest;
      this.#pending.clear();
      this.#pendingBytes = 0;
    } else {
      this.#pending.append(chunk, start);
      this.#pendingBytes += rest;
    }
    if (this.#carry.length > 0) this.#updateCarry(chunk, start);
  }

  /** Keeps the last `delimiter.length - 1` bytes of the message so far. */
  #updateCarry(chunk: Buffer, start: number): void {
    const room = this.#carry.length;
    const rest = chunk.length - start;
    if (rest >= room) {
      chunk.copy(this.#carry, 0, chunk.length - room);
      this.#carryLength = room;
      return;
    }
    // The old carry belongs to this message only when no delimiter ended in this chunk.
    const before = start === 0 ? this.#carryLength : 0;
    const keep = Math.min(before, room - rest);
    this.#carry.copyWithin(0, before - keep, before);
    chunk.copy(this.#carry, keep, start);
    this.#carryLength = keep + rest;
  }

  #reset(): void {
    this.#pending.clear();
    this.#pendingBytes = 0;
    this.#discarding = false;
    this.#discardedBytes = 0;
    this.#carryLength = 0;
  }
}

export interface ConnectionFramerOptions {
  /** The largest message, in bytes. */
  readonly maxMessageBytes: number;
}

/**
 * Connection framing (`message_delimiter=None`): every byte until the peer closes its side
 * is one message. Past the limit the bytes are dropped and `push` returns false, so the
 * caller can log and close the connection. Ownership of chunks is as for DelimiterFramer.
 */
export class ConnectionFramer {
  readonly #max: number;
  readonly #held: GrowingBuffer;
  #heldBytes = 0;
  #receivedBytes = 0;
  #oversize = false;

  constructor(options: ConnectionFramerOptions) {
    const { maxMessageBytes } = options;
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
    }
    this.#max = maxMessageBytes;
    this.#held = new GrowingBuffer(maxMessageBytes);
  }

  /** Bytes held in memory. */
  get bufferedBytes(): number {
    return this.#heldBytes;
  }

  /** Every byte pushed since the last `end()`, including dropped ones. */
  get receivedBytes(): number {
    return this.#receivedBytes;
  }

  /** The message went past the limit; its bytes were dropped. */
  get oversize(): boolean {
    return this.#oversize;
  }

  /** Adds bytes; returns false when the message is over the limit (now or already). */
  push(chunk: Buffer): boolean {
    this.#receivedBytes += chunk.length;
    if (this.#oversize) return false;
    if (this.#receivedBytes > this.#max) {
      this.#oversize = true;
      this.#held.clear();
      this.#heldBytes = 0;
      return false;
    }
    if (chunk.length > 0) {
      this.#held.append(chunk);
      this.#heldBytes += chunk.length;
    }
    return true;
  }

  /**
   * The peer closed its side: the whole message, or `undefined` when there were no bytes
   * or the message was over the limit. Resets for reuse.
   */
  end(): Buffer | undefined {
    const message = this.#oversize || this.#heldBytes === 0 ? undefined : this.#held.take();
    this.#held.clear();
    this.#heldBytes = 0;
    this.#receivedBytes = 0;
    this.#oversize = false;
    return message;
  }
}
