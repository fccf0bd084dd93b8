import type { RuntimeCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { ReportProblem } from '../../../core/node.js';

/** Something an attempt found that is worth a line but is no fault: a port that is not a board. */
export interface StateNote {
  readonly level: 'info' | 'warning';
  /** What makes two notes the same situation; the message may carry details that vary. */
  readonly key: string;
  readonly message: string;
}

/** A runtime problem an attempt found (a refused board): reported with its code and counted. */
export interface ProblemNote {
  readonly code: RuntimeCode;
  readonly key: string;
  readonly message: string;
}

export type Note = StateNote | ProblemNote;

/** The node's runtime-problem path, as the change log uses it. */
export interface ProblemPath {
  readonly report: ReportProblem;
  /** Counts a problem already reported once without logging it again. */
  readonly countRepeat: (code: RuntimeCode) => void;
}

/**
 * Logs what a connection attempt found only when it differs from what the previous attempt
 * found, so that a board that stays unplugged for an hour gives one set of lines, not one
 * per retry, and a change (the port appears, another board answers) is still reported.
 * Problems are counted on every attempt, and logged (through the node's `report`, with their
 * code and running count) only with the rest of a changed report.
 */
export class ChangeLog {
  readonly #log: Logger;
  readonly #problems: ProblemPath;
  #lastKey: string | undefined;
  #suppressed = 0;

  constructor(log: Logger, problems: ProblemPath) {
    this.#log = log;
    this.#problems = problems;
  }

  /** How many reports were held back because nothing had changed. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /** Logs `notes` unless the previous report had the same keys; returns whether it logged. */
  report(notes: readonly Note[]): boolean {
    const key = notes.map((n) => `${'code' in n ? n.code : n.level}\u0000${n.key}`).join('\u0001');
    const changed = key !== this.#lastKey;
    this.#lastKey = key;
    if (!changed) this.#suppressed += 1;
    for (const note of notes) {
      if (!('code' in note)) {
        if (changed) this.#log.log(note.level, note.message);
      } else if (changed) {
        this.#problems.report(note.code, note.message);
      } else {
        this.#problems.countRepeat(note.code);
      }
    }
    return changed;
  }

  /** Starts afresh: the next report is logged whatever it says (after a connection, say). */
  forget(): void {
    this.#lastKey = undefined;
  }
}
