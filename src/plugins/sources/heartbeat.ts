import { PeriodicDataSource } from '../../core/periodic.js';
import { isRecord } from '../../python/records.js';
import { seconds, z } from '../options.js';

const schema = z.object({
  interval: seconds(1.0).describe('Seconds between beats.'),
  counter: z
    .union([z.boolean(), z.number()])
    .default(true)
    .transform((v) => Math.trunc(Number(v)))
    .describe('Start value of the counter put in `value`; true is 1; false or 0 turns it off.'),
  message: z
    .unknown()
    .default({ type: 'config', id: 'heartbeat' })
    .describe('What each beat sends, in a one-element list.'),
});

export type HeartbeatOptions = z.output<typeof schema>;

/** Sends a message at a steady interval, optionally numbered, to show that the graph is alive. */
export class HeartbeatDataSource extends PeriodicDataSource {
  static readonly description =
    'Sends [message] every `interval` seconds; with a counter, a copy of the message whose `value` counts up from `counter`.';
  static readonly optionsSchema = schema;

  readonly #message: unknown;
  readonly #counterIgnored: boolean;
  #counter: number | undefined;
  #warned = false;

  constructor(options: HeartbeatOptions = schema.parse({})) {
    super(options.interval);
    this.#message = options.message;
    const counterOn = options.counter !== 0 && Number.isFinite(options.counter);
    this.#counterIgnored = counterOn && !isRecord(options.message);
    this.#counter = counterOn && !this.#counterIgnored ? options.counter : undefined;
  }

  override start(): void {
    // Python datalogd's warning for this combination, once; it is not a configuration error.
    if (this.#counterIgnored && !this.#warned && !this.stopped) {
      this.#warned = true;
      this.log.warning('The counter needs a message that is an object; sending it without one.');
    }
    super.start();
  }

  protected override tick(): void {
    const message = this.#message;
    if (!isRecord(message)) {
      this.send([message]);
      return;
    }
    if (this.#counter === undefined) {
      this.send([{ ...message }]);
      return;
    }
    const value = this.#counter;
    this.#counter += 1;
    this.send([{ ...message, value }]);
  }
}
