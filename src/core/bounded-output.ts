/**
 * A bound on what waits in a writable stream whose reader may stop reading: process.stdout
 * for a print sink, process.stderr for the log. Node queues every write to a pipe in memory
 * for as long as the reader stalls (258 MB in 30 s under a fast source), so each write first
 * looks at what is already waiting (`writableLength`); beyond `limitBytes` the new text is
 * dropped and counted (what the stream already holds cannot be taken back). When the stream
 * drains, or its reader has taken half of what waited, `onResume` hears how much was dropped
 * during the stall, so that it can be said once output flows again.
 */

/** The part of a writable stream the bound needs: process.stdout, process.stderr, a double. */
export interface OutputStream {
  readonly writableLength: number;
  /** False once the stream is destroyed or ended: nothing written now would arrive. */
  readonly writable?: boolean;
  /** True while a write has returned false and 'drain' is still to come. */
  readonly writableNeedDrain?: boolean;
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface DroppedOutput {
  /** Writes (lines, receipts) dropped. */
  readonly count: number;
  /** Their size: UTF-16 code units, which is bytes for ASCII (JSON) text. */
  readonly bytes: number;
}

export class BoundedOutput {
  readonly #stream: () => OutputStream;
  readonly #limitBytes: number;
  readonly #onResume: (dropped: DroppedOutput) => void;
  #stalledCount = 0;
  #stalledBytes = 0;
  #totalCount = 0;
  #totalBytes = 0;
  #awaitingDrain = false;

  /**
   * `stream` is looked up on each write rather than held, so that a replaced stream or
   * `write` method (tests, wrappers) is the one written to.
   */
  constructor(
    stream: () => OutputStream,
    limitBytes: number,
    onResume: (dropped: DroppedOutput) => void,
  ) {
    this.#stream = stream;
    this.#limitBytes = limitBytes;
    this.#onResume = onResume;
  }

  /**
   * Writes `text` unless the stream already holds more than the limit would allow with it;
   * returns false when it was dropped. One text larger than the limit is still written to
   * an empty stream, so the bound is the limit plus one write.
   */
  write(text: string): boolean {
    const stream = this.#stream();
    if (stream.writable === false) return this.#drop(stream, text.length);
    const waiting = stream.writableLength;
    const limit = this.#limitBytes;
    if (this.#stalledCount > 0) {
      // A stall lasts until the reader has taken half of what waited (or the stream has
      // drained, below), not until the first write that fits: a reader slower than the
      // writer would otherwise keep the stream topped up at the limit, never end the stall,
      // and never see the note. When no 'drain' is to come (the limit is below the stream's
      // high-water mark, or the stream was replaced), the first write that fits ends it.
      const over = waiting <= limit / 2 || (!this.#awaitingDrain && waiting + text.length <= limit);
      if (!over) return this.#drop(stream, text.length);
      this.#resume();
    } else if (waiting > 0 && waiting + text.length > limit) {
      return this.#drop(stream, text.length);
    }
    stream.write(text);
    return true;
  }

  /** Everything dropped since this output was created. */
  get dropped(): DroppedOutput {
    return { count: this.#totalCount, bytes: this.#totalBytes };
  }

  /** What the current stall has dropped so far (zero while output flows). */
  get stalled(): DroppedOutput {
    return { count: this.#stalledCount, bytes: this.#stalledBytes };
  }

  #drop(stream: OutputStream, bytes: number): false {
    this.#stalledCount += 1;
    this.#stalledBytes += bytes;
    this.#totalCount += 1;
    this.#totalBytes += bytes;
    // The write that filled the stream past its high-water mark returned false, so the
    // stream emits 'drain' once it has written everything it holds: the stall is over then,
    // not at the first write that squeezes in while a slow reader takes a little.
    if (!this.#awaitingDrain && stream.writableNeedDrain === true) {
      this.#awaitingDrain = true;
      stream.once('drain', () => {
        this.#awaitingDrain = false;
        this.#resume();
      });
    }
    return false;
  }

  #resume(): void {
    if (this.#stalledCount === 0) return;
    const dropped = { count: this.#stalledCount, bytes: this.#stalledBytes };
    this.#stalledCount = 0;
    this.#stalledBytes = 0;
    this.#onResume(dropped);
  }
}
