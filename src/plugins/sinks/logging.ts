import { errorMessage } from '../../core/errors.js';
import { oneLine, parseLogLevel, type LogLevel } from '../../core/log.js';
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
    'Logs each receipt at `level`: the header, then one line per item as JSON (dates as ISO 8601 strings). Line breaks and other control characters in the data are escaped (`\\n`, `\\x1b`), so that one item is always one log line. An item that cannot be encoded is counted and skipped. Ignores null and empty lists.';
  static readonly optionsSchema = schema;

  readonly #level: LogLevel;
  readonly #header: string;
  readonly #indent: string;

  constructor(options: LoggingOptions = schema.parse({})) {
    super();
    this.#level = options.level;
    this.#header = options.header;
    this.#indent = options.indent;
    this.declareEvents('DATALOGD_ERR_UNENCODABLE');
  }

  override receive(data: Data): undefined {
    const level = this.#level;
    if (level === 'silent' || data === null || data === undefined) return undefined;
    if (Array.isArray(data) && data.length === 0) return undefined;
    const log = this.log;
    if (!log.isEnabled(level)) return undefined;
    if (this.#header !== '') log.log(level, this.#header);
    for (const item of listify(data)) {
      let text: string;
      try {
        text = toJsonText(item);
      } catch (err) {
        this.report('DATALOGD_ERR_UNENCODABLE', `skipped an item: ${errorMessage(err)}`);
        continue;
      }
      // Text from a peer may hold line breaks that would otherwise forge log lines.
      log.log(level, this.#indent + oneLine(text));
    }
    return undefined;
  }
}
