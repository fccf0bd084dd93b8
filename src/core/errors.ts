/**
 * The one catalogue of datalogd error codes. Every code is explained in docs/errors.md;
 * test/unit/core/errors.test.ts keeps the two in step.
 */
export const ERROR_CODES = {
  DATALOGD_ERR_CONFIG_READ:
    'A configuration file named with -c is missing, or an existing one cannot be read.',
  DATALOGD_ERR_CONFIG_SYNTAX: 'A configuration file is not valid INI.',
  DATALOGD_ERR_CONFIG_INTERPOLATION: 'A `%` in a configuration value is not written as `%%`.',
  DATALOGD_ERR_CONFIG_NO_GRAPH:
    'Configuration was given (a file or -g) but no connection graph, or an empty one.',
  DATALOGD_ERR_CONFIG_UNKNOWN:
    'A configuration file without a graph has a section or key datalogd does not read (a misspelling?).',
  DATALOGD_ERR_CONFIG_VALUE:
    'A key of the `[datalogd]` section (or its command-line flag) has a value of the wrong form or out of range.',
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
  DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT:
    'A plugin file did not finish importing in time (a top-level await that never settles).',
  DATALOGD_ERR_PLUGIN_CLASS:
    'A plugin file exports a class whose name or base class breaks the naming rule, or whose optionsSchema or validate is malformed.',
  DATALOGD_ERR_NODE_START: 'A node failed to start.',
  DATALOGD_ERR_USAGE: 'The command line is wrong (unknown flag, missing value).',
  DATALOGD_ERR_OPEN_FILES_LIMIT:
    'The open-file limit (ulimit -n) is too low for datalogd to start (EMFILE, ENFILE).',
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
  /**
   * Records a node gave up on while closing (what its server never acknowledged): counted
   * at a stop, they make its exit status say that the stop was not clean.
   */
  readonly lostAtClose?: true;
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
  // For user plugins (docs/plugins-guide.md): the code a plugin reports its own losses with.
  DATALOGD_ERR_PLUGIN_DROPPED: {
    counter: 'dropped',
    level: 'warning',
    summary: 'A user plugin dropped data for a reason of its own, given in the message.',
  },
  DATALOGD_ERR_FILE_WRITE: {
    counter: 'write_errors',
    level: 'error',
    summary: 'A file sink could not write (disk full, permissions, missing directory).',
  },
  // Sinks, filters and sources other than the socket and the InfluxDB sinks.
  DATALOGD_ERR_FILE_DROPPED: {
    counter: 'records_dropped',
    level: 'warning',
    summary: 'A file sink dropped records: its buffer was full, it was closed, or a write failed.',
  },
  DATALOGD_ERR_PRINT_CLOSED: {
    counter: 'dropped_output_closed',
    level: 'warning',
    summary: "A print sink dropped a receipt because its stream's reader went away (EPIPE).",
  },
  DATALOGD_ERR_AGGREGATE_EVICTED: {
    counter: 'evicted',
    level: 'warning',
    summary: 'An aggregator held max_records aggregated records and dropped the stalest one.',
  },
  DATALOGD_ERR_AGGREGATE_NOT_RECORD: {
    counter: 'skipped',
    level: 'warning',
    summary: 'An aggregator dropped an item that is not a record (an object).',
  },
  DATALOGD_ERR_NOT_NUMERIC: {
    counter: 'not_numeric',
    level: 'warning',
    summary: 'A calculating filter met a value that is not a number and left it uncalculated.',
  },
  DATALOGD_ERR_CSV_LABEL_FIELD: {
    counter: 'missing_label_fields',
    level: 'warning',
    summary: 'A CSV label names a field that a record lacks; the placeholder is left as written.',
  },
  DATALOGD_ERR_RULE_EVAL: {
    counter: 'eval_errors',
    level: 'warning',
    summary: 'An eval expression of a sensor identifier rule failed on a reading.',
  },
  DATALOGD_ERR_RULES_NOT_LOADED: {
    counter: 'receipts_before_rules',
    level: 'warning',
    summary: 'A sensor identifier received data before its rules were loaded; passed on as it was.',
  },
  DATALOGD_ERR_TICK_SKIPPED: {
    counter: 'skipped_ticks',
    level: 'warning',
    summary: 'A periodic source skipped a tick because the previous one had not finished.',
  },
  DATALOGD_ERR_TICK_FAILED: {
    counter: 'tick_errors',
    level: 'error',
    summary: 'A periodic source failed during a tick; it carries on with the next one.',
  },
  DATALOGD_ERR_SENSOR_READ: {
    counter: 'read_errors',
    level: 'warning',
    summary: 'A hardware sensor could not be read; it is skipped until it reads again.',
  },
  DATALOGD_ERR_SENSOR_GONE: {
    counter: 'sensors_gone',
    level: 'warning',
    summary: 'A hardware sensor disappeared (its chip was unplugged or its driver unloaded).',
  },
  DATALOGD_ERR_SERIAL_BAD_LINE: {
    counter: 'bad_lines',
    level: 'warning',
    summary: 'A serial board sent a line that is not board JSON, or one too long to keep.',
  },
  DATALOGD_ERR_SERIAL_REFUSED: {
    counter: 'refused',
    level: 'warning',
    summary: 'A serial port has a logging board whose board id is not the one asked for.',
  },
  DATALOGD_ERR_SERIAL_LOST: {
    counter: 'disconnects',
    level: 'warning',
    summary: 'A serial board went away (unplugged, port closed); the source searches again.',
  },
  DATALOGD_ERR_SERIAL_HELD_OVERFLOW: {
    counter: 'held_lines_dropped',
    level: 'warning',
    summary: 'A serial port delivered more lines than it holds between the probe and the reader.',
  },
  // SocketDataFilter
  DATALOGD_ERR_SOCKET_OVERSIZE: {
    counter: 'dropped_oversize',
    level: 'warning',
    summary: 'A peer sent a message longer than buffer_size; it was discarded whole.',
  },
  DATALOGD_ERR_SOCKET_UNDECODABLE: {
    counter: 'undecodable',
    level: 'warning',
    summary: 'A received message is not valid in message_encoding; its raw bytes were sent on.',
  },
  DATALOGD_ERR_SOCKET_NOT_JSON: {
    counter: 'not_json',
    level: 'warning',
    summary: 'A received message is not JSON; it was sent on as text.',
  },
  DATALOGD_ERR_SOCKET_UNENCODABLE: {
    counter: 'dropped_unencodable',
    level: 'warning',
    summary: 'Outgoing data that JSON or the encoding cannot represent was dropped.',
  },
  DATALOGD_ERR_SOCKET_CONTAINS_DELIMITER: {
    counter: 'dropped_contains_delimiter',
    level: 'warning',
    summary: 'An outgoing message contains the delimiter and would break the framing; dropped.',
  },
  DATALOGD_ERR_SOCKET_QUEUE_FULL: {
    counter: 'dropped_queue_full',
    level: 'warning',
    summary:
      "A client's queue (queue_size, queue_bytes) was full; the oldest messages were dropped.",
  },
  DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL: {
    counter: 'dropped_send_buffer_full',
    level: 'warning',
    summary: 'A peer is not reading and send_buffer_size was reached; dropped for that peer.',
  },
  DATALOGD_ERR_SOCKET_NO_CONNECTION: {
    counter: 'dropped_no_connection',
    level: 'info',
    summary: 'A server with no clients (or a node not started) had no one to send a message to.',
  },
  DATALOGD_ERR_SOCKET_MAX_CONNECTIONS: {
    counter: 'connections_refused',
    level: 'warning',
    summary: 'A connection past max_connections was closed at once.',
  },
  DATALOGD_ERR_SOCKET_BIND: {
    counter: 'bind_failures',
    level: 'error',
    summary: 'A server could not listen on its address and port; it retries with backoff.',
  },
  DATALOGD_ERR_SOCKET_CONNECT: {
    counter: 'connect_failures',
    level: 'warning',
    summary: 'A client could not connect to its server; it retries with backoff.',
  },
  DATALOGD_ERR_SOCKET_SEND_BUDGET: {
    counter: 'dropped_send_budget',
    level: 'warning',
    summary:
      'The process-wide send budget (send_budget_bytes) was reached; messages for the slowest peers were dropped.',
  },
  DATALOGD_ERR_SOCKET_STALLED: {
    counter: 'peers_stalled',
    level: 'warning',
    summary:
      'A peer took no bytes for stall_timeout while some waited for it; it was disconnected.',
  },
  DATALOGD_ERR_SOCKET_LOST_IN_FLIGHT: {
    counter: 'lost_in_flight',
    level: 'warning',
    summary:
      'A connection closed with messages handed to it that had not reached the operating system.',
  },
  DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE: {
    counter: 'dropped_at_close',
    level: 'warning',
    summary:
      "Messages still in a client's queue when it closed, or sent to it after, were not delivered.",
    lostAtClose: true,
  },
  // InfluxDB sinks (docs/influxdb.md); the first four come from the shared batch writer.
  DATALOGD_ERR_INFLUX_BUFFER_FULL: {
    counter: 'points_dropped',
    level: 'warning',
    summary:
      'An InfluxDB sink dropped its oldest buffered points to make room (or got points after close).',
  },
  DATALOGD_ERR_INFLUX_REFUSED: {
    counter: 'points_rejected',
    level: 'error',
    summary: 'The InfluxDB server refused a batch of points (bad line protocol, type conflict).',
  },
  DATALOGD_ERR_INFLUX_WRITE_FAILED: {
    counter: 'write_failures',
    level: 'warning',
    summary: 'A write to InfluxDB failed; the points are kept and retried with backoff.',
  },
  DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE: {
    counter: 'points_unsent_at_close',
    level: 'warning',
    summary: 'An InfluxDB sink closed with points its server had not acknowledged.',
    lostAtClose: true,
  },
  DATALOGD_ERR_INFLUX_RECORD_SKIPPED: {
    counter: 'records_skipped',
    level: 'warning',
    summary: 'An InfluxDB sink skipped an item: not a record, or no value it can store.',
  },
  DATALOGD_ERR_INFLUX_BAD_TIMESTAMP: {
    counter: 'bad_timestamps',
    level: 'warning',
    summary: "A record's timestamp was unusable; the receipt time was written instead.",
  },
  DATALOGD_ERR_INFLUX_NAME_ALTERED: {
    counter: 'names_altered',
    level: 'warning',
    summary: 'A name or tag that line protocol cannot carry as it is was written altered.',
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
  DATALOGD_ERR_PLOT_HISTORY_FAILED: {
    counter: 'plot_history_failed',
    level: 'warning',
    summary: "A live plot page asked for history and the plot's SQLite store could not be read.",
  },
  // Output sinks, the CSV filter and the daemon's own log (issue 10).
  DATALOGD_ERR_UNENCODABLE: {
    counter: 'unencodable',
    level: 'warning',
    summary: 'A receipt cannot be written as JSON (a cycle, nesting too deep); it was skipped.',
  },
  DATALOGD_ERR_PRINT_STALLED: {
    counter: 'dropped_output_stalled',
    level: 'warning',
    summary: "A print sink dropped a receipt because its stream's reader is not keeping up.",
  },
  DATALOGD_ERR_LOG_DROPPED: {
    counter: 'log_lines_dropped',
    level: 'warning',
    summary: 'Log lines were dropped because nothing read stderr; reported once it flows again.',
  },
  DATALOGD_ERR_FILE_REMOVED: {
    counter: 'file_removals',
    level: 'warning',
    summary: "A file sink's file was removed or replaced while open; the sink opens it anew.",
  },
  DATALOGD_ERR_CSV_UNDECLARED_COLUMN: {
    counter: 'undeclared_records',
    level: 'warning',
    summary: 'A CSV table received a record whose column is not declared in `columns`.',
  },
  // Plot files (MatplotlibDataSink).
  DATALOGD_ERR_PLOT_FILE_RECORD_SKIPPED: {
    counter: 'records_unplotted',
    level: 'warning',
    summary:
      'A plot sink drew no line for a record: it is not a record, lacks one of `keys`, or has no point that can be drawn.',
  },
  DATALOGD_ERR_PLOT_FILE_VALUE_SKIPPED: {
    counter: 'values_unplotted',
    level: 'warning',
    summary:
      'A plot sink left points out of a line: a y value that is not a number, an x that is not a time or number, unequal x and y lists, or more points than a line holds.',
  },
  DATALOGD_ERR_PLOT_FILE_RENDER: {
    counter: 'render_errors',
    level: 'error',
    summary: 'A plot sink could not draw its plot; the file keeps the last plot drawn.',
  },
  // The record stores (SQLite, PostgreSQL) and the replay source.
  DATALOGD_ERR_STORE_BUFFER_FULL: {
    counter: 'records_overflowed',
    level: 'warning',
    summary:
      'A store sink dropped its oldest buffered records to make room (or got records after close).',
  },
  DATALOGD_ERR_STORE_REFUSED: {
    counter: 'records_rejected',
    level: 'error',
    summary: 'The database refused a batch of records for good (a constraint, a value too big).',
  },
  DATALOGD_ERR_STORE_WRITE_FAILED: {
    counter: 'store_write_failures',
    level: 'warning',
    summary:
      'A write to a store failed (locked, disk full, file removed, server down); the records are kept and retried.',
  },
  DATALOGD_ERR_STORE_UNSENT_AT_CLOSE: {
    counter: 'records_unsent_at_close',
    level: 'warning',
    summary: 'A store sink closed with records it could not write within close_timeout.',
    lostAtClose: true,
  },
  DATALOGD_ERR_STORE_NOT_RECORD: {
    counter: 'items_skipped',
    level: 'warning',
    summary: 'A store sink skipped an item that is not a record (an object).',
  },
  DATALOGD_ERR_STORE_BAD_TIMESTAMP: {
    counter: 'timestamps_unusable',
    level: 'warning',
    summary:
      "A record's timestamp was unusable; the row has the receipt time, extra keeps the value.",
  },
  DATALOGD_ERR_STORE_RETENTION_FAILED: {
    counter: 'retention_failures',
    level: 'warning',
    summary: 'Deleting rows older than `keep` failed; it is tried again later.',
  },
  DATALOGD_ERR_REPLAY_READ_FAILED: {
    counter: 'replay_read_failures',
    level: 'warning',
    summary: 'A replay source could not read its store (missing, locked, not a store); it retries.',
  },
  DATALOGD_ERR_REPLAY_BAD_ROW: {
    counter: 'rows_unreadable',
    level: 'warning',
    summary: 'A replay source skipped a row whose extra column is not the JSON a store writes.',
  },
  // File rotation (issue 13).
  DATALOGD_ERR_FILE_ROTATE: {
    counter: 'rotation_errors',
    level: 'error',
    summary:
      'A file sink could not rotate (rename the full file, delete the oldest); it writes on.',
  },
  // The daemon itself: shutdown, faults nothing caught, reload (issues 10 and 13).
  DATALOGD_ERR_NODE_CLOSE: {
    counter: 'close_failures',
    level: 'error',
    summary: "A node's close threw or rejected; the daemon went on closing the others.",
  },
  DATALOGD_ERR_CLOSE_ABANDONED: {
    counter: 'nodes_abandoned',
    level: 'error',
    summary:
      'A node had not closed by the shutdown deadline; it was abandoned with what it still held.',
  },
  DATALOGD_ERR_UNCAUGHT: {
    counter: 'uncaught_errors',
    level: 'error',
    summary: 'An exception or promise rejection that no code caught; the daemon keeps running.',
  },
  DATALOGD_ERR_RELOAD_REFUSED: {
    counter: 'reloads_refused',
    level: 'error',
    summary:
      'A reload found problems in the new configuration; the running graph goes on as it was.',
  },
  DATALOGD_ERR_RELOAD_NODE_FAILED: {
    counter: 'reload_start_failures',
    level: 'error',
    summary:
      'A node added or changed by a reload failed to start; it is left out until the next reload.',
  },
  DATALOGD_ERR_RELOAD_HELD_DROPPED: {
    counter: 'reload_receipts_dropped',
    level: 'warning',
    summary:
      'Data held for a node while a reload restarted it was dropped: too much of it, or the node failed to start.',
  },
} as const satisfies Record<string, RuntimeEventSpec>;

export type ErrorCode = keyof typeof ERROR_CODES | RuntimeCode;
export type RuntimeCode = keyof typeof RUNTIME_EVENTS;

export interface ProblemDetails {
  /** The graph node the problem is about, when there is one. */
  readonly node?: string;
  /** The option the problem is about, when there is one. */
  readonly option?: string;
  /** The file the problem is in (a config file, a plugin file), when there is one. */
  readonly file?: string;
  /** The line of `file` (or of a `-g` graph's text), counting from 1. */
  readonly line?: number;
  readonly column?: number;
}

/** The single error class of datalogd. `code` is stable; `message` is for people. */
export class DatalogdError extends Error {
  readonly code: ErrorCode;
  readonly node: string | undefined;
  readonly option: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

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
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }

  /** What the problem is about and where, with its cause: for a reworded copy of it. */
  details(): ProblemDetails & { readonly cause?: unknown } {
    const details: { -readonly [K in keyof ProblemDetails]: ProblemDetails[K] } & {
      cause?: unknown;
    } = {};
    if (this.node !== undefined) details.node = this.node;
    if (this.option !== undefined) details.option = this.option;
    if (this.file !== undefined) details.file = this.file;
    if (this.line !== undefined) details.line = this.line;
    if (this.column !== undefined) details.column = this.column;
    if (this.cause !== undefined) details.cause = this.cause;
    return details;
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
