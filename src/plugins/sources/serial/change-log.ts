import type { Logger } from '../../../core/log.js';

export interface Note {
  readonly level: 'info' | 'warning';
  /** What makes two notes the same situation; the message may carry details that vary. */
  readonly key: string;
  readonly message: string;
}

/**
 * Logs what a connection attempt found only when it differs from what the previous attempt
 * found, so that a board that stays unplugged for an hour gives one set of lines, not one
 * per retry, and a change (the port appears, another board answers) is still reported.
 */
export class ChangeLog {
  readonly #log: Logger;
  #lastKey: string | undefined;
  #suppressed = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** How many reports were held back because nothing had changed. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /** Logs `notes` unless the previous report had the same keys; returns whether it logged. */
  report(notes: readonly Note[]): boolean {
    const key = notes.map((n) => `${n.level}\u0000${n.key}`).join('\u0001');
    if (key === this.#lastKey) {
      this.#suppressed += 1;
      return false;
    }
    this.#lastKey = key;
    for (const note of notes) this.#log.log(note.level, note.message);
    return true;
  }

  /** Starts afresh: the next report is logged whatever it says (after a connection, say). */
  forget(): void {
    this.#lastKey = undefined;
  }
}
