import { BoundedOutput } from './bounded-output.js';
import { RUNTIME_EVENTS, type RuntimeCode } from './errors.js';

/**
 * Logging: one line per event on stderr, with a time, a level and the logger (node) name,
 * as text for people (the default) or as one JSON object per line for journald and log
 * shippers. Kept dependency-free because it sits on the start-up path.
 */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  silent: 100,
};

const LEVEL_LABEL: Record<Exclude<LogLevel, 'silent'>, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
};

/** `human`: `TIME LEVEL [node] message`; `json`: one object per line (see `jsonLine`). */
export const LOG_FORMATS = ['human', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogWriter = (line: string) => void;

interface LogState {
  threshold: number;
  format: LogFormat;
  write: LogWriter;
}

/**
 * Beyond this much log text waiting in stderr for a reader (a pipe nobody reads, a stuck
 * terminal), new lines are dropped and counted rather than queued without end.
 */
export const LOG_BUFFER_LIMIT_BYTES = 1024 * 1024;

const LOG_DROPPED: RuntimeCode = 'DATALOGD_ERR_LOG_DROPPED';

/**
 * The log's own drops cannot be logged to the stream that is stalled: they are counted, and
 * said in one line on that stream once it has drained.
 */
const stderrOutput = new BoundedOutput(
  () => process.stderr,
  LOG_BUFFER_LIMIT_BYTES,
  ({ count, bytes }) => {
    const message =
      `[${LOG_DROPPED}] dropped ${count} log line${count === 1 ? '' : 's'} (${bytes} bytes) ` +
      `while stderr was not read (${stderrOutput.dropped.count} so far)`;
    process.stderr.write(formatLine('warning', 'datalogd', message) + '\n');
  },
);
let stderrErrorsHeard = false;

function writeToStderr(line: string): void {
  if (!stderrErrorsHeard) {
    // A reader of stderr that goes away (EPIPE) would otherwise crash the daemon from an
    // unheard 'error' event; afterwards the stream is not writable and lines are counted.
    process.stderr.on('error', () => undefined);
    stderrErrorsHeard = true;
  }
  stderrOutput.write(line + '\n');
}

const state: LogState = {
  threshold: LEVEL_RANK.info,
  format: 'human',
  write: writeToStderr,
};

/**
 * Log lines dropped so far because stderr was not read (or had gone away); for the metrics
 * endpoint, as `log_lines_dropped`.
 */
export function logLinesDropped(): number {
  return stderrOutput.dropped.count;
}

function formatLine(level: Exclude<LogLevel, 'silent'>, name: string, message: string): string {
  const time = new Date().toISOString();
  if (state.format === 'json') return jsonLine(time, level, name, message);
  return `${time} ${LEVEL_LABEL[level]} [${name}] ${message}`;
}

/** A runtime event as `DataNode.report` words it: `[CODE] message (N so far)`. */
const RUNTIME_EVENT_LINE = /^\[(DATALOGD_ERR_[A-Z0-9_]+)\] ([\s\S]*) \((\d+) so far\)$/;
/** The rate limiter's note on what it held back of a runtime event (keyed `CODE ...`). */
const SUPPRESSED_LINE =
  /^(\d+) more like this were suppressed in the last \d+ s: (DATALOGD_ERR_[A-Z0-9_]+)\b/;

/**
 * Outside the C0 controls, which JSON.stringify escapes itself: DEL, the C1 controls (ESC's
 * 8-bit twin CSI among them) and the two Unicode line breaks, which JSON allows raw but a
 * terminal or a line-based reader does not take as plain text.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * `{"time","level","node","message"}`, plus `code` and `count` (the counter's total) when
 * the line is a runtime event, so that a log shipper can count and alert on codes without
 * parsing English; the note on suppressed repeats carries `code` and `suppressed`. Levels
 * are the names `--log-level` takes.
 */
function jsonLine(time: string, level: LogLevel, name: string, message: string): string {
  const entry: Record<string, string | number> = { time, level, node: name, message };
  const event = RUNTIME_EVENT_LINE.exec(message);
  if (event !== null && isRuntimeCode(event[1])) {
    entry.message = event[2] ?? '';
    entry.code = event[1];
    entry.count = Number(event[3]);
  } else {
    const suppressed = SUPPRESSED_LINE.exec(message);
    if (suppressed !== null && isRuntimeCode(suppressed[2])) {
      entry.code = suppressed[2];
      entry.suppressed = Number(suppressed[1]);
    }
  }
  const text = JSON.stringify(entry);
  UNSAFE_IN_JSON.lastIndex = 0;
  if (!UNSAFE_IN_JSON.test(text)) return text;
  return text.replace(
    UNSAFE_IN_JSON,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function isRuntimeCode(code: string | undefined): code is RuntimeCode {
  return code !== undefined && Object.hasOwn(RUNTIME_EVENTS, code);
}

export function setLogLevel(level: LogLevel): void {
  state.threshold = LEVEL_RANK[level];
}

/** Chooses how lines are written from now on; `human` until this is called. */
export function setLogFormat(format: LogFormat): void {
  state.format = format;
}

/** Redirects log output; tests use it to capture lines. Returns the previous writer. */
export function setLogWriter(write: LogWriter): LogWriter {
  const previous = state.write;
  state.write = write;
  return previous;
}

/** Python logging levels (10, 20, 30, 40) and names map onto ours. */
export function parseLogLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') {
    if (value <= 10) return 'debug';
    if (value <= 20) return 'info';
    if (value <= 30) return 'warning';
    return 'error';
  }
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'warn') return 'warning';
  if (lower === 'critical' || lower === 'fatal') return 'error';
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : undefined;
}

export class Logger {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= state.threshold;
  }

  log(level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (LEVEL_RANK[level] < state.threshold) return;
    state.write(formatLine(level, this.name, message));
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  warning(message: string): void {
    this.log('warning', message);
  }

  error(message: string): void {
    this.log('error', message);
  }
}

export function getLogger(name: string): Logger {
  return new Logger(name);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` as one log line: line breaks (LF, CR, NEL, U+2028/9) and every other C0 and C1
 * control character, ESC included, written as `\n`, `\r`, `\t`, `\xNN` or `\uNNNN`. Text a
 * peer sent cannot then start a line of its own that looks like the daemon's, nor move a
 * terminal's cursor over the lines before it.
 */
export function oneLine(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, (ch) => {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
