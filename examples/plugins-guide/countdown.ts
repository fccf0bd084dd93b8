/**
 * The TypeScript example of docs/plugins-guide.md: a source that counts down from `from` to
 * `to`, one record every `interval` seconds, then stops. It shows an options schema built
 * from the options kit (with a rule between two options), `start()` for the first tick,
 * `onClose()` for the timer, and a declared counter.
 */
import { DataSource, ordered, seconds, text, z } from 'datalogd';

const schema = z
  .object({
    from: z.number().int().min(0).default(10).describe('The first value sent.'),
    to: z.number().int().min(0).default(0).describe('The last value sent.'),
    interval: seconds(1.0).describe('Seconds between records.'),
    id: text('countdown').describe('The `id` of every record.'),
  })
  .superRefine(ordered('to', 'from'));

export type CountdownOptions = z.output<typeof schema>;

export class CountdownDataSource extends DataSource {
  static readonly description = 'Counts down from `from` to `to`, a record every `interval` s.';
  static readonly optionsSchema = schema;

  readonly #options: CountdownOptions;
  readonly #counts = this.counters('messages_out');
  #next: number;
  #timer: NodeJS.Timeout | undefined;

  // The daemon passes the options the schema produced: checked, with defaults filled in.
  // A constructor does no I/O and starts no timer; that is start()'s work.
  constructor(options: CountdownOptions = schema.parse({})) {
    super();
    this.#options = options;
    this.#next = options.from;
  }

  override start(): void {
    this.#tick();
  }

  // Called once, by close(), before the sinks this source sends to are closed.
  protected override onClose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const { id, to, interval } = this.#options;
    this.send([{ type: 'countdown', id, value: this.#next }]);
    this.#counts.messages_out += 1;
    this.#next -= 1;
    if (this.#next >= to) {
      this.#timer = setTimeout(() => {
        this.#tick();
      }, interval * 1000);
    }
  }
}
