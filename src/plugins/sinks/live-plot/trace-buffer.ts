/**
 * The points of one trace: a ring of at most `capacity` (time, value) pairs, newest kept.
 * Every point ever added has a sequence number, so that a page can be sent "everything
 * from point N on" without copying the ring, and can tell when the ring overwrote what it
 * had not been sent yet.
 */
export class TraceBuffer {
  readonly capacity: number;
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  /** Sequence number of the oldest point held. */
  #first = 0;
  /** Sequence number the next point will get. */
  #next = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`a trace holds at least 1 point, not ${capacity}`);
    this.capacity = capacity;
    this.#x = new Float64Array(capacity);
    this.#y = new Float64Array(capacity);
  }

  get length(): number {
    return this.#next - this.#first;
  }

  get firstSeq(): number {
    return this.#first;
  }

  get nextSeq(): number {
    return this.#next;
  }

  /** Adds a point; the oldest makes room when the ring is full. */
  push(x: number, y: number): void {
    if (this.#next - this.#first === this.capacity) this.#first += 1;
    const at = this.#next % this.capacity;
    this.#x[at] = x;
    this.#y[at] = y;
    this.#next += 1;
  }

  /** Forgets the oldest points while they are older than `minX`; returns how many. */
  dropBefore(minX: number): number {
    let dropped = 0;
    while (this.#first < this.#next && (this.#x[this.#first % this.capacity] as number) < minX) {
      this.#first += 1;
      dropped += 1;
    }
    return dropped;
  }

  /** The newest point's time, or undefined when empty. */
  lastX(): number | undefined {
    return this.length === 0 ? undefined : this.#x[(this.#next - 1) % this.capacity];
  }

  /**
   * The points with sequence numbers in [from, to) that are still held, as two JSON
   * arrays' bodies (`"1,2,3"`), for the page's messages.
   */
  json(
    from: number,
    to: number,
  ): { readonly x: string; readonly y: string; readonly count: number } {
    const start = Math.max(from, this.#first);
    const end = Math.min(to, this.#next);
    if (end <= start) return { x: '', y: '', count: 0 };
    const a = start % this.capacity;
    const b = a + (end - start);
    if (b <= this.capacity) {
      return {
        x: this.#x.subarray(a, b).join(','),
        y: this.#y.subarray(a, b).join(','),
        count: end - start,
      };
    }
    const wrap = b - this.capacity;
    return {
      x: `${this.#x.subarray(a).join(',')},${this.#x.subarray(0, wrap).join(',')}`,
      y: `${this.#y.subarray(a).join(',')},${this.#y.subarray(0, wrap).join(',')}`,
      count: end - start,
    };
  }
}
