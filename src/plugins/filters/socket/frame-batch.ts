import type { Frame } from '../../../io/codec.js';
import { OutgoingChunk, type SendBudget } from './send-budget.js';

/**
 * A chunk is sealed at this size even within one turn of the event loop, so that a burst
 * becomes several chunks a slow peer can be dropped from piecemeal, not one huge one.
 */
export const CHUNK_MAX_BYTES = 64 * 1024;

/**
 * Collects the frames of one turn of the event loop and encodes them once, into one Buffer
 * that every connection then shares (see OutgoingChunk): a broadcast costs its bytes once,
 * not a joined string per peer.
 */
export class FrameBatch<Part = unknown> {
  readonly #budget: SendBudget;
  #frames: Frame[] = [];
  #parts: Part[] = [];
  #bytes = 0;
  #text = true;

  constructor(budget: SendBudget) {
    this.#budget = budget;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get isEmpty(): boolean {
    return this.#frames.length === 0;
  }

  /** Adds one frame of `bytes` bytes on the wire; `part` is kept with it when given. */
  add(frame: Frame, bytes: number, part?: Part): void {
    this.#frames.push(frame);
    if (part !== undefined) this.#parts.push(part);
    this.#bytes += bytes;
    if (typeof frame !== 'string') this.#text = false;
  }

  /** The frames so far as one chunk (undefined when there are none); the batch starts over. */
  seal(): OutgoingChunk<Part> | undefined {
    const frames = this.#frames;
    if (frames.length === 0) return undefined;
    const buffer =
      frames.length === 1
        ? toBuffer(frames[0] as Frame)
        : this.#text
          ? Buffer.from(frames.join(''), 'utf8')
          : Buffer.concat(frames.map(toBuffer), this.#bytes);
    const parts = this.#parts.length > 0 ? this.#parts : undefined;
    const chunk = new OutgoingChunk<Part>(buffer, frames.length, this.#budget, parts);
    this.#frames = [];
    this.#parts = [];
    this.#bytes = 0;
    this.#text = true;
    return chunk;
  }
}

function toBuffer(frame: Frame): Buffer {
  return typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
}
