export interface BoundedQueueLimits {
  /** At most this many items are held; 0 holds nothing (every push drops its item). */
  readonly maxItems: number;
  /** At most this many bytes are held, as `sizeOf` measures them. */
  readonly maxBytes: number;
}

/**
 * The one bounded first-in first-out queue of the project: items waiting for a peer, a
 * server or a disk. Bounded both in count and in bytes; when a new item does not fit, the
 * oldest items make room (for a data logger the newest data is usually the most wanted),
 * and every drop is counted here and returned to the caller, who reports it. Sizes are
 * measured once per item, by the caller's `sizeOf` (real bytes: UTF-8 for text).
 *
 * Pushes and shifts are O(1) amortised: the consumed front is sliced off only once it is
 * large, rather than moving every item on each shift.
 */
export class BoundedQueue<T> {
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #sizeOf: (item: T) => number;
  #items: T[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(limits: BoundedQueueLimits, sizeOf: (item: T) => number) {
    if (!(limits.maxItems >= 0) || !(limits.maxBytes >= 0)) {
      throw new RangeError(
        `queue limits must be >= 0, got ${limits.maxItems} items, ${limits.maxBytes} bytes`,
      );
    }
    this.#maxItems = limits.maxItems;
    this.#maxBytes = limits.maxBytes;
    this.#sizeOf = sizeOf;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Items dropped to make room since the queue was made. */
  get dropped(): number {
    return this.#dropped;
  }

  get limits(): BoundedQueueLimits {
    return { maxItems: this.#maxItems, maxBytes: this.#maxBytes };
  }

  /**
   * Appends an item; returns how many items were dropped to make room: the oldest, or the
   * item itself (1) when it alone is over a limit. `size` saves measuring twice.
   */
  push(item: T, size: number = this.#sizeOf(item)): number {
    if (this.#maxItems === 0 || size > this.#maxBytes) {
      this.#dropped += 1;
      return 1;
    }
    const dropped = this.#makeRoom(1, size);
    this.#items.push(item);
    this.#sizes.push(size);
    this.#bytes += size;
    return dropped;
  }

  peek(): T | undefined {
    return this.length > 0 ? this.#items[this.#head] : undefined;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head] as T;
    this.#bytes -= this.#sizes[this.#head] ?? 0;
    this.#head += 1;
    this.#compact();
    return item;
  }

  /** Removes and returns up to `maxItems` items from the front within `maxBytes` (at least one). */
  take(maxItems: number, maxBytes: number = Infinity): T[] {
    const start = this.#head;
    const limit = Math.min(this.#items.length, start + maxItems);
    let end = start;
    let bytes = 0;
    while (end < limit) {
      const size = this.#sizes[end] ?? 0;
      if (end > start && bytes + size > maxBytes) break;
      bytes += size;
      end += 1;
    }
    const batch = this.#items.slice(start, end);
    this.#head = end;
    this.#bytes -= bytes;
    this.#compact();
    return batch;
  }

  /**
   * Puts items that could not be delivered back at the front, in order, so they go first
   * next time. Returns how many of the oldest items were dropped to stay within the limits.
   */
  unshift(items: readonly T[]): number {
    if (items.length === 0) return 0;
    const sizes = items.map((item) => this.#sizeOf(item));
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#sizes = [...sizes, ...this.#sizes.slice(this.#head)];
    this.#head = 0;
    for (const size of sizes) this.#bytes += size;
    return this.#makeRoom(0, 0);
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head);
    this.#items = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    return items;
  }

  /** Empties the queue; returns how many items it held. */
  clear(): number {
    const count = this.length;
    this.drain();
    return count;
  }

  /** Drops the oldest items until `items` more items of `bytes` bytes fit. */
  #makeRoom(items: number, bytes: number): number {
    let dropped = 0;
    while (
      this.length > 0 &&
      (this.length + items > this.#maxItems || this.#bytes + bytes > this.#maxBytes)
    ) {
      this.#bytes -= this.#sizes[this.#head] ?? 0;
      this.#head += 1;
      dropped += 1;
    }
    this.#dropped += dropped;
    this.#compact();
    return dropped;
  }

  /** Slices the consumed front off once it is large, keeping operations O(1) amortised. */
  #compact(): void {
    if (this.#head === 0) return;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Real bytes of text on the wire or on disk: UTF-8, not UTF-16 code units. */
export function utf8Bytes(item: string | Uint8Array): number {
  return typeof item === 'string' ? Buffer.byteLength(item, 'utf8') : item.byteLength;
}
