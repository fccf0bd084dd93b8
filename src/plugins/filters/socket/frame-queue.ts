import type { Frame } from '../../../io/codec.js';

/**
 * A first-in first-out queue of encoded frames bounded both in count and in bytes (for
 * text frames, characters: at most a third of their UTF-8 size, and what they occupy). When a
 * new frame does not fit, the oldest frames make room (newer data is worth more to a data
 * logger than stale data), and the caller is told how many went.
 */
export class FrameQueue {
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  #frames: Frame[] = [];
  #head = 0;
  #bytes = 0;

  constructor(maxFrames: number, maxBytes: number) {
    this.#maxFrames = maxFrames;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#frames.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a frame; returns how many frames were dropped (the oldest, or this one if it can never fit). */
  push(frame: Frame): number {
    if (this.#maxFrames === 0 || frame.length > this.#maxBytes) return 1;
    let dropped = 0;
    while (this.length >= this.#maxFrames || this.#bytes + frame.length > this.#maxBytes) {
      this.shift();
      dropped += 1;
    }
    this.#frames.push(frame);
    this.#bytes += frame.length;
    return dropped;
  }

  peek(): Frame | undefined {
    return this.#frames[this.#head];
  }

  shift(): Frame | undefined {
    const frame = this.#frames[this.#head];
    if (frame === undefined) return undefined;
    this.#head += 1;
    this.#bytes -= frame.length;
    // Compact now and then instead of Array#shift per frame, which is O(n).
    if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }

  clear(): void {
    this.#frames = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
