/**
 * Bytes held while a message is incomplete, copied into one buffer that grows by doubling.
 * Keeping the pieces as a list of views would cost a Buffer object (about 80 bytes) per
 * piece, so a peer sending one byte per TCP segment would hold some 80 bytes of memory per
 * byte; copied, it costs at most twice the bytes held, and a view never pins the rest of a
 * large chunk it came from.
 */
export class GrowingBuffer {
  readonly #maxCapacity: number;
  #buffer: Buffer | undefined;
  #length = 0;

  /** `maxCapacity`: the buffer never grows beyond this (the most the caller ever holds). */
  constructor(maxCapacity: number) {
    this.#maxCapacity = maxCapacity;
  }

  get length(): number {
    return this.#length;
  }

  /** Copies `source[start..end]` to the end. */
  append(source: Buffer, start = 0, end = source.length): void {
    const count = end - start;
    if (count <= 0) return;
    const needed = this.#length + count;
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length < needed) {
      const capacity = Math.max(needed, Math.min(this.#maxCapacity, Math.max(256, needed * 2)));
      const grown = Buffer.allocUnsafe(capacity);
      if (buffer !== undefined) buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
      buffer = grown;
    }
    source.copy(buffer, this.#length, start, end);
    this.#length = needed;
  }

  /**
   * Hands over the first `length` bytes (a view the caller may keep) and starts afresh: the
   * buffer is never written again, so what was handed over stays as it is.
   */
  take(length = this.#length): Buffer {
    const taken = (this.#buffer ?? Buffer.alloc(0)).subarray(0, Math.min(length, this.#length));
    this.clear();
    return taken;
  }

  /** Forgets the bytes and lets the memory go. */
  clear(): void {
    this.#buffer = undefined;
    this.#length = 0;
  }
}
