/**
 * The one catalogue of datalogd error codes. Every code is explained in docs/errors.md;
 * test/unit/core/errors.test.ts keeps the two in step.
 */
export const ERROR_CODES = {
  DATALOGD_ERR_CONFIG_READ:
    'A configuration file named with -c is missing, or an existing one cannot be read.',
  DATALOGD_ERR_CONFIG_SYNTAX: 'A configuration file is not valid INI.',
  DATALOGD_ERR_CONFIG_INTERPOLATION: 'A `%` in a configuration value is not written as `%%`.',
  DATALOGD_ERR_GRAPH_SYNTAX: 'The connection graph is not valid DOT.',
  DATALOGD_ERR_GRAPH_NOT_DIGRAPH: 'The connection graph is not a single `digraph`.',
  DATALOGD_ERR_GRAPH_EMPTY: 'The connection graph declares no nodes.',
  DATALOGD_ERR_NODE_NO_CLASS: 'A node has no `class` attribute.',
  DATALOGD_ERR_UNKNOWN_CLASS: 'A node names a class that no built-in or plugin provides.',
  DATALOGD_ERR_UNKNOWN_OPTION: 'A node sets an option its class does not have.',
  DATALOGD_ERR_OPTION_TYPE: 'A node option has a value of the wrong type or out of range.',
  DATALOGD_ERR_NODE_CONSTRUCT: "A plugin's constructor threw while the node was created.",
  DATALOGD_ERR_EDGE_UNKNOWN_NODE: 'An edge names a node that is not declared.',
  DATALOGD_ERR_EDGE_SELF: 'An edge connects a node to itself.',
  DATALOGD_ERR_EDGE_NOT_SOURCE: 'An edge starts at a sink, which cannot send data.',
  DATALOGD_ERR_EDGE_NOT_SINK: 'An edge ends at a source, which cannot receive data.',
  DATALOGD_ERR_GRAPH_CYCLE: 'The edges form a cycle, which would make data loop forever.',
  DATALOGD_ERR_PLUGIN_DIR: 'A plugin directory does not exist or cannot be read.',
  DATALOGD_ERR_PLUGIN_LOAD: 'A plugin file could not be imported.',
  DATALOGD_ERR_PLUGIN_CLASS:
    'A plugin file exports a class whose name or base class breaks the naming rule.',
  DATALOGD_ERR_NODE_START: 'A node failed to start.',
  DATALOGD_ERR_NODE_CLOSE: 'A node failed to close cleanly.',
  DATALOGD_ERR_USAGE: 'The command line is wrong (unknown flag, missing value).',
  DATALOGD_ERR_RULES:
    'The rules of a SensorIdentifierDataFilter cannot be read, a rule is malformed, or an eval expression does not compile.',
} as const;

/** How loud a runtime event is in the log. */
export type RuntimeLevel = 'debug' | 'info' | 'warning' | 'error';

export interface RuntimeEventSpec {
  /** The `stats()` counter the event adds to; metrics publish it under this name. */
  readonly counter: string;
  readonly level: RuntimeLevel;
  /** One line for docs and listings. */
  readonly summary: string;
}

/**
 * Runtime events: faults a running node survives, each counted under one counter and logged
 * (rate-limited, with the running count) with its code. Every record a node loses is one
 * of these. docs/errors.md explains each, like the configuration codes.
 */
export const RUNTIME_EVENTS = {
  DATALOGD_ERR_SINK_THREW: {
    counter: 'sink_errors',
    level: 'error',
    summary: 'A sink threw or rejected while receiving data; the record was dropped for that sink.',
  },
  DATALOGD_ERR_FILE_WRITE: {
    counter: 'write_errors',
    level: 'error',
    summary: 'A file sink could not write (disk full, permissions, missing directory).',
  },
  // The web server (src/io/web) and the live plot sinks.
  DATALOGD_ERR_WEB_LISTEN: {
    counter: 'web_listen_errors',
    level: 'warning',
    summary:
      'The web server could not listen on its address (port in use, no such address); it retries.',
  },
  DATALOGD_ERR_WEB_REFUSED: {
    counter: 'web_requests_refused',
    level: 'warning',
    summary:
      'A web request had no valid access token, or a foreign Host or Origin, and was refused.',
  },
  DATALOGD_ERR_WEB_CLIENTS_FULL: {
    counter: 'web_clients_refused',
    level: 'warning',
    summary: 'A browser connection was refused: the web server holds its maximum of connections.',
  },
  DATALOGD_ERR_WEB_CLIENT_STALLED: {
    counter: 'web_clients_dropped',
    level: 'warning',
    summary:
      'A browser tab or watcher stopped reading or fell too far behind, and was disconnected.',
  },
  DATALOGD_ERR_WEB_QUEUE_FULL: {
    counter: 'web_messages_dropped',
    level: 'warning',
    summary: "A slow watcher's send queue was full; its oldest messages were dropped for it.",
  },
  DATALOGD_ERR_PLOT_SKIPPED: {
    counter: 'plot_skipped',
    level: 'debug',
    summary:
      'A record reached a live plot but matched no trace, or had no value; it was not drawn.',
  },
  DATALOGD_ERR_PLOT_BAD_VALUE: {
    counter: 'plot_bad_values',
    level: 'warning',
    summary:
      'A record matched a plot trace but its value is not a number or its timestamp unreadable.',
  },
} as const satisfies Record<string, RuntimeEventSpec>;

export type ErrorCode = keyof typeof ERROR_CODES | RuntimeCode;
export type RuntimeCode = keyof typeof RUNTIME_EVENTS;

export interface ProblemDetails {
  /** The graph node the problem is about, when there is one. */
  readonly node?: string;
  /** The option the problem is about, when there is one. */
  readonly option?: string;
}

/** The single error class of datalogd. `code` is stable; `message` is for people. */
export class DatalogdError extends Error {
  readonly code: ErrorCode;
  readonly node: string | undefined;
  readonly option: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: ProblemDetails & { readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatalogdError';
    this.code = code;
    this.node = options.node;
    this.option = options.option;
  }
}

/** Several configuration problems reported together, so a user fixes them all in one go. */
export class ConfigurationErrors extends Error {
  readonly problems: readonly DatalogdError[];

  constructor(problems: readonly DatalogdError[]) {
    super(
      `${problems.length} configuration problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - [${p.code}] ${p.message}`).join('\n'),
    );
    this.name = 'ConfigurationErrors';
    this.problems = problems;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
