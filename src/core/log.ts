/**
 * Logging: one line per event on stderr, with a time, a level and the logger (node) name.
 * Kept dependency-free because it sits on the start-up path.
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

export type LogWriter = (line: string) => void;

interface LogState {
  threshold: number;
  write: LogWriter;
}

const state: LogState = {
  threshold: LEVEL_RANK.info,
  write: (line) => process.stderr.write(line + '\n'),
};

export function setLogLevel(level: LogLevel): void {
  state.threshold = LEVEL_RANK[level];
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
    state.write(`${new Date().toISOString()} ${LEVEL_LABEL[level]} [${this.name}] ${message}`);
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
