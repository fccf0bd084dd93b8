import { afterEach, beforeEach } from 'node:test';
import { setLogWriter, type LogWriter } from '../../src/core/log.js';

/** Log lines captured while a test runs, with helpers to find runtime events by code. */
export interface CapturedLog {
  /** Every line, in order, as the logger formatted it. */
  readonly lines: string[];
  /** The lines that carry `[code]`. */
  withCode(code: string): string[];
  /** The text of every line joined, for a failure message. */
  text(): string;
  /** Restores the previous writer (done by `captureLogEachTest` after each test). */
  restore(): void;
}

/** Captures log lines from now until `restore()`. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const previous: LogWriter = setLogWriter((line) => {
    lines.push(line);
  });
  return {
    lines,
    withCode: (code) => lines.filter((line) => line.includes(`[${code}]`)),
    text: () => lines.join('\n'),
    restore: () => {
      setLogWriter(previous);
    },
  };
}

/**
 * Captures the log for every test of the file (or suite) that calls it: the returned
 * object's `current` is the capture of the test that is running.
 */
export function captureLogEachTest(): { current: CapturedLog } {
  const holder: { current: CapturedLog } = { current: captureLog() };
  holder.current.restore();
  beforeEach(() => {
    holder.current = captureLog();
  });
  afterEach(() => {
    holder.current.restore();
  });
  return holder;
}
