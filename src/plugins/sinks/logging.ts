import { parseLogLevel, type LogLevel } from '../../core/log.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';
import { listify } from '../../python/values.js';
import { text, z } from '../options.js';

const schema = z.object({
  level: z
    .union([z.number(), z.string()])
    .refine((v) => parseLogLevel(v) !== undefined, {
      message: "is not a log level (use 10, 20, 30, 40 or 'debug', 'info', 'warning', 'error')",
    })
    .default(20)
    .transform((v) => parseLogLevel(v) ?? 'info')
    .describe("Log level: Python's 10/20/30/40 or a name such as 'info' or 'WARNING'."),
  header: text('Data received:').describe('Line logged before the items; empty: none.'),
  indent: text('  ').describe('Text put before each item line.'),
});

export type LoggingOptions = z.output<typeof schema>;

/** Logs each receipt: a header line, then one JSON line per item. */
export class LoggingDataSink extends DataSink {
  static readonly description =
    'Logs each receipt at `level`: the header, then one line per item as JSON (dates as ISO 8601 strings). Ignores null and empty lists.';
  static readonly optionsSchema = schema;

  readonly #level: LogLevel;
  readonly #header: string;
  readonly #indent: string;

  constructor(options: LoggingOptions = schema.parse({})) {
    super();
    this.#level = options.level;
    this.#header = options.header;
    this.#indent = options.indent;
  }

  override receive(data: Data): undefined {
    const level = this.#level;
    if (level === 'silent' || data === null || data === undefined) return undefined;
    if (Array.isArray(data) && data.length === 0) return undefined;
    const log = this.log;
    if (!log.isEnabled(level)) return undefined;
    if (this.#header !== '') log.log(level, this.#header);
    for (const item of listify(data)) log.log(level, this.#indent + toJsonText(item));
    return undefined;
  }
}
