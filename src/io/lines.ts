import { DelimiterFramer } from './framing.js';

/** The default longest line; beyond it a line is dropped and reported, never buffered. */
export const MAX_LINE_BYTES = 16 * 1024;

const LF = Buffer.from('\n');
const CR = 0x0d;

export interface LineFramerOptions {
  /** Called with each complete line, without its terminator, decoded as UTF-8 with replacement. */
  readonly onLine: (text: string) => void;
  /** Called once for each line that grew past `maxBytes`, with the bytes dropped. */
  readonly onOversize?: (droppedBytes: number) => void;
  readonly maxBytes?: number;
}

/**
 * The shared delimiter framer on LF, for text protocols such as the serial boards': one CR
 * right before the LF is removed, so the CR LF of Arduino's `println` and a bare LF both
 * work, and an empty line is a line. Splitting happens on bytes: LF never occurs inside a
 * multi-byte UTF-8 sequence, so a character split across two reads is decoded whole. A line
 * longer than `maxBytes` (CR included) is discarded up to its LF and reported.
 */
export class LineFramer {
  readonly #framer: DelimiterFramer;

  constructor(options: LineFramerOptions) {
    const { onLine } = options;
    const onOversize = options.onOversize ?? (() => undefined);
    this.#framer = new DelimiterFramer({
      delimiter: LF,
      maxMessageBytes: options.maxBytes ?? MAX_LINE_BYTES,
      onMessage: (line) => {
        const end = line[line.length - 1] === CR ? line.length - 1 : line.length;
        onLine(line.toString('utf8', 0, end));
      },
      onOversize,
      onEmpty: () => {
        onLine('');
      },
    });
  }

  /** Bytes held for a line that has not ended yet. */
  get pendingBytes(): number {
    return this.#framer.bufferedBytes;
  }

  push(chunk: Buffer): void {
    this.#framer.push(chunk);
  }

  /** Drops a partial line, as when the port closes; returns how many bytes were dropped. */
  reset(): number {
    return this.#framer.discard();
  }
}
