/** Longest line a board may send; beyond it the line is dropped and reported, never buffered. */
export const MAX_LINE_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;

export interface LineSplitterOptions {
  /** Called with each complete line, without its terminator, decoded as UTF-8 with replacement. */
  readonly onLine: (text: string) => void;
  /** Called once for each line that grew past `maxBytes`, with the bytes dropped. */
  readonly onOversize?: (droppedBytes: number) => void;
  readonly maxBytes?: number;
}

/**
 * Cuts a byte stream into lines. A line ends at LF; one CR right before it is removed, so
 * the CR LF of Arduino's `println` and a bare LF both work. Splitting happens on bytes, not
 * characters: LF never occurs inside a multi-byte UTF-8 sequence, so a character split across
 * two reads is decoded whole. A line longer than `maxBytes` is discarded up to its LF and
 * reported, so a device that never sends a newline cannot make the buffer grow.
 */
export class LineSplitter {
  readonly #onLine: (text: string) => void;
  readonly #onOversize: (droppedBytes: number) => void;
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  /** Bytes thrown away so far from the current, too long, line; -1 when not discarding. */
  #discarded = -1;

  constructor(options: LineSplitterOptions) {
    this.#onLine = options.onLine;
    this.#onOversize = options.onOversize ?? (() => undefined);
    this.#maxBytes = options.maxBytes ?? MAX_LINE_BYTES;
  }

  /** Bytes held for a line that has not ended yet. */
  get pendingBytes(): number {
    return this.#partBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        this.#hold(chunk, start, chunk.length);
        return;
      }
      this.#hold(chunk, start, lf);
      this.#endLine();
      start = lf + 1;
    }
  }

  /** Drops a partial line, as when the port closes; returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.#partBytes + Math.max(0, this.#discarded);
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarded = -1;
    return dropped;
  }

  #hold(chunk: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    if (this.#discarded >= 0) {
      this.#discarded += length;
      return;
    }
    if (this.#partBytes + length > this.#maxBytes) {
      this.#discarded = this.#partBytes + length;
      this.#parts = [];
      this.#partBytes = 0;
      return;
    }
    this.#parts.push(chunk.subarray(from, to));
    this.#partBytes += length;
  }

  #endLine(): void {
    if (this.#discarded >= 0) {
      const dropped = this.#discarded;
      this.#discarded = -1;
      this.#onOversize(dropped);
      return;
    }
    const parts = this.#parts;
    let line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.#partBytes);
    this.#parts = [];
    this.#partBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.#onLine(line.toString('utf8'));
  }
}
