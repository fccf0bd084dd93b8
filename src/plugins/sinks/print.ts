import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';

const schema = z.object({
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
  #broken = false;
  #listening = false;
  #dropped = 0;

  constructor(options: PrintOptions = schema.parse({})) {
    super();
    this.#end = options.end;
    this.#stream = options.stream;
  }

  override start(): void {
    if (this.#listening) return;
    // A reader that goes away (`datalogd | head`) makes the stream emit EPIPE; unheard, that
    // would crash the daemon, heard, it only ends this sink's output.
    process[this.#stream].on('error', this.#onError);
    this.#listening = true;
  }

  override receive(data: Data): undefined {
    if (this.#broken) {
      this.#dropped += 1;
      return undefined;
    }
    try {
      // Looked up on each write, not cached, so that a replaced `write` (tests, wrappers) is used.
      process[this.#stream].write(toJsonText(data) + this.#end);
    } catch (err) {
      this.#onError(err);
    }
    return undefined;
  }

  /** Receipts dropped because the stream's reader went away. */
  override stats(): Record<string, number> {
    return { dropped_output_closed: this.#dropped };
  }

  protected override onClose(): void {
    if (this.#listening) process[this.#stream].off('error', this.#onError);
    this.#listening = false;
  }

  readonly #onError = (err: unknown): void => {
    if (this.#broken) return;
    this.#broken = true;
    this.log.warning(`Cannot write to ${this.#stream} (${errorMessage(err)}); output stops here.`);
  };
}
