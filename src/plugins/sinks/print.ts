import { BoundedOutput, type DroppedOutput } from '../../core/bounded-output.js';
import { errorMessage } from '../../core/errors.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';
import { z } from '../options.js';

/** The default bound on output waiting for a reader of the stream. */
export const PRINT_BUFFER_BYTES = 1024 * 1024;

const schema = z.object({
  // Python's print() takes end=None for its default.
  end: z
    .string()
    .nullable()
    .default('\n')
    .transform((v) => v ?? '\n')
    .describe('Text written after each receipt.'),
  stream: z.enum(['stdout', 'stderr']).default('stdout').describe("'stdout' or 'stderr'."),
  buffer_bytes: z
    .number()
    .int()
    .min(1024)
    .default(PRINT_BUFFER_BYTES)
    .describe(
      'Output allowed to wait in the stream for a slow or stalled reader; beyond it receipts are dropped and counted.',
    ),
});

export type PrintOptions = z.output<typeof schema>;

/** Writes each receipt to the console as one JSON line. */
export class PrintDataSink extends DataSink {
  static readonly description =
    'Writes each receipt to stdout or stderr as JSON (dates as ISO 8601 strings, long integers exactly) followed by `end`; text, such as CSV, is written as it is. While the reader does not keep up, at most `buffer_bytes` wait; further receipts are dropped and counted, and the log says how many once output flows again. A receipt that cannot be encoded is counted and skipped.';
  static readonly optionsSchema = schema;

  readonly #end: string;
  readonly #stream: 'stdout' | 'stderr';
  readonly #output: BoundedOutput;
  /** Why the output stopped, once it has. */
  #broken: string | undefined;
  #listening = false;

  constructor(options: PrintOptions = schema.parse({})) {
    super();
    this.#end = options.end;
    this.#stream = options.stream;
    // Looked up on each write, not cached, so that a replaced `write` (tests, wrappers) is used.
    this.#output = new BoundedOutput(
      () => process[this.#stream],
      options.buffer_bytes,
      this.#resumed,
    );
    this.declareEvents(
      'DATALOGD_ERR_PRINT_CLOSED',
      'DATALOGD_ERR_PRINT_STALLED',
      'DATALOGD_ERR_UNENCODABLE',
    );
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
      this.#droppedClosed();
      return undefined;
    }
    let text: string;
    try {
      text = toJsonText(data);
    } catch (err) {
      // The data's fault, not the stream's: this receipt is skipped, the next one printed.
      this.report('DATALOGD_ERR_UNENCODABLE', `skipped a receipt: ${errorMessage(err)}`);
      return undefined;
    }
    try {
      if (this.#output.write(text + this.#end)) return undefined;
      if (process[this.#stream].writable) {
        this.#droppedStalled();
      } else {
        // Destroyed before its 'error' event came: closed, not stalled.
        this.#onError('the stream is closed');
        this.#droppedClosed();
      }
    } catch (err) {
      this.#onError(err);
      this.#droppedClosed();
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

  readonly #resumed = ({ count, bytes }: DroppedOutput): void => {
    this.log.warning(
      `[DATALOGD_ERR_PRINT_STALLED] ${this.#stream} is read again; ` +
        `${count} receipt${count === 1 ? '' : 's'} (${bytes} bytes) ${count === 1 ? 'was' : 'were'} dropped while it was not`,
    );
  };

  #droppedClosed(): void {
    this.report(
      'DATALOGD_ERR_PRINT_CLOSED',
      `cannot write to ${this.#stream} (${this.#broken ?? 'closed'}); dropped a receipt`,
    );
  }

  #droppedStalled(): void {
    this.report(
      'DATALOGD_ERR_PRINT_STALLED',
      `${this.#stream} is not read fast enough (more than buffer_bytes waiting); dropped a receipt`,
    );
  }
}
