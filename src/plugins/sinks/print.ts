import { errorMessage } from '../../core/errors.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';
import { z } from '../options.js';

const schema = z.object({
  // Python's print() takes end=None for its default.
  end: z
    .string()
    .nullable()
    .default('\n')
    .transform((v) => v ?? '\n')
    .describe('Text written after each receipt.'),
  stream: z.enum(['stdout', 'stderr']).default('stdout').describe("'stdout' or 'stderr'."),
});

export type PrintOptions = z.output<typeof schema>;

/** Writes each receipt to the console as one JSON line. */
export class PrintDataSink extends DataSink {
  static readonly description =
    'Writes each receipt to stdout or stderr as JSON (dates as ISO 8601 strings) followed by `end`; text, such as CSV, is written as it is.';
  static readonly optionsSchema = schema;

  readonly #end: string;
  readonly #stream: 'stdout' | 'stderr';
  /** Why the output stopped, once it has. */
  #broken: string | undefined;
  #listening = false;

  constructor(options: PrintOptions = schema.parse({})) {
    super();
    this.#end = options.end;
    this.#stream = options.stream;
    this.declareEvents('DATALOGD_ERR_PRINT_CLOSED');
  }

  override start(): void {
    if (this.#listening) return;
    // A reader that goes away (`datalogd | head`) makes the stream emit EPIPE; unheard, that
    // would crash the daemon, heard, it only ends this sink's output.
    process[this.#stream].on('error', this.#onError);
    this.#listening = true;
  }

  override receive(data: Data): undefined {
    if (this.#broken !== undefined) {
      this.#dropped();
      return undefined;
    }
    try {
      // Looked up on each write, not cached, so that a replaced `write` (tests, wrappers) is used.
      process[this.#stream].write(toJsonText(data) + this.#end);
    } catch (err) {
      this.#onError(err);
      this.#dropped();
    }
    return undefined;
  }

  protected override onClose(): void {
    if (this.#listening) process[this.#stream].off('error', this.#onError);
    this.#listening = false;
  }

  /** The stream's reader went away (`datalogd | head`); nothing more can be written. */
  readonly #onError = (err: unknown): void => {
    this.#broken ??= errorMessage(err);
  };

  #dropped(): void {
    this.report(
      'DATALOGD_ERR_PRINT_CLOSED',
      `cannot write to ${this.#stream} (${this.#broken ?? 'closed'}); dropped a receipt`,
    );
  }
}
