export interface LineBufferLimits {
  /** At most this many lines are held. */
  readonly maxLines: number;
  /** At most this many bytes (UTF-8, newline included) are held. */
  readonly maxBytes: number;
}

/**
 * The bounded queue of line-protocol lines waiting to be written. When either limit would
 * be passed, the oldest lines go first: after an outage the newest data is usually the
 * most wanted, and the drop is reported by the caller with the count returned here.
 */
export class LineBuffer {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #lines: string[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;

  constructor(limits: LineBufferLimits) {
    if (!(limits.maxLines >= 1) || !(limits.maxBytes >= 1)) {
      throw new RangeError(
        `line buffer limits must be >= 1, got ${limits.maxLines}, ${limits.maxBytes}`,
      );
    }
    this.#maxLines = limits.maxLines;
    this.#maxBytes = limits.maxBytes;
  }

  get length(): number {
    return this.#lines.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends a line; returns how many lines were dropped to make room (it may be itself). */
  push(line: string): number {
    const size = Buffer.byteLength(line) + 1;
    if (size > this.#maxBytes) return 1;
    const dropped = this.#makeRoom(1, size);
    this.#lines.push(line);
    this.#sizes.push(size);
    this.#bytes += size;
    return dropped;
  }

  /** Removes and returns up to `maxLines` lines from the front, within `maxBytes` (at least one). */
  take(maxLines: number, maxBytes: number = Infinity): string[] {
    const start = this.#head;
    let end = start;
    let bytes = 0;
    const limit = Math.min(this.#lines.length, start + maxLines);
    while (end < limit) {
      const size = this.#sizes[end] ?? 0;
      if (end > start && bytes + size > maxBytes) break;
      bytes += size;
      end += 1;
    }
    const batch = this.#lines.slice(start, end);
    this.#head = end;
    this.#bytes -= bytes;
    this.#compact();
    return batch;
  }

  /**
   * Puts a batch that could not be written back at the front, so it goes first next time.
   * Returns how many of the oldest lines were dropped to stay within the limits.
   */
  unshift(batch: readonly string[]): number {
    if (batch.length === 0) return 0;
    const sizes = batch.map((line) => Buffer.byteLength(line) + 1);
    this.#lines = [...batch, ...this.#lines.slice(this.#head)];
    this.#sizes = [...sizes, ...this.#sizes.slice(this.#head)];
    this.#head = 0;
    this.#bytes += sizes.reduce((a, b) => a + b, 0);
    return this.#makeRoom(0, 0);
  }

  /** Empties the buffer; returns how many lines it held. */
  clear(): number {
    const count = this.length;
    this.#lines = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    return count;
  }

  /** Drops the oldest lines until `lines` more lines of `bytes` bytes fit. */
  #makeRoom(lines: number, bytes: number): number {
    let dropped = 0;
    while (
      this.length > 0 &&
      (this.length + lines > this.#maxLines || this.#bytes + bytes > this.#maxBytes)
    ) {
      this.#bytes -= this.#sizes[this.#head] ?? 0;
      this.#head += 1;
      dropped += 1;
    }
    this.#compact();
    return dropped;
  }

  /** Slices the consumed front off once it is large, keeping pushes and takes O(1) amortised. */
  #compact(): void {
    if (this.#head === 0) return;
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
