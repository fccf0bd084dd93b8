import { performance } from 'node:perf_hooks';
import {
  DataFilter,
  isThenable,
  receiverName,
  type Data,
  type DataReceiver,
} from '../../core/node.js';
import { RateLimitedLog } from '../../core/rate-limit.js';
import { seconds, z } from '../options.js';

const schema = z.object({
  info: seconds(0.1, { min: 0 }).describe(
    'Seconds a sink may take to receive before it is logged at info level.',
  ),
  warning: seconds(0.5, { min: 0 }).describe(
    'Seconds a sink may take to receive before it is logged as a warning.',
  ),
});

export type SinkTimerOptions = z.output<typeof schema>;

/** Milliseconds from an arbitrary origin; injectable so that tests need not be slow. */
export type Clock = () => number;

/**
 * Passes data on unchanged and times each sink's `receive`. A sink that returns a promise is
 * timed until it settles, without holding up the sinks after it. A sink that throws or
 * rejects goes through `DataSource`'s own path (DATALOGD_ERR_SINK_THREW, `sink_errors`),
 * after it has been timed.
 */
export class SinkTimerDataFilter extends DataFilter {
  static readonly description =
    'Passes data on unchanged, timing how long each connected sink takes to receive it (until its promise settles, for an asynchronous sink); logs at info level from `info` seconds and as a warning from `warning` seconds. Unlike Python datalogd, whose version stops after the first sink, every sink gets the data.';
  static readonly optionsSchema = schema;

  readonly #infoMs: number;
  readonly #warningMs: number;
  readonly #now: Clock;
  readonly #counts = this.counters('slow_info', 'slow_warning');
  /** A slow sink is slow on every receipt: its warnings are rate-limited per sink. */
  #slowLog: RateLimitedLog | undefined;

  constructor(options: SinkTimerOptions = schema.parse({}), now: Clock = () => performance.now()) {
    super();
    this.#infoMs = options.info * 1000;
    this.#warningMs = options.warning * 1000;
    this.#now = now;
  }

  override send(data: Data): void {
    this.countSent(data);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i] as DataReceiver;
      const started = this.#now();
      let result: unknown;
      try {
        result = sink.receive(data);
      } catch (err) {
        this.#timed(sink, started);
        this.sinkFailed(sink, err);
        continue;
      }
      if (isThenable(result)) {
        result.then(
          () => {
            this.#timed(sink, started);
          },
          (err: unknown) => {
            this.#timed(sink, started);
            this.sinkFailed(sink, err);
          },
        );
      } else {
        this.#timed(sink, started);
      }
    }
  }

  #timed(sink: DataReceiver, started: number): void {
    const elapsedMs = this.#now() - started;
    if (elapsedMs >= this.#warningMs) {
      this.#counts.slow_warning += 1;
      const name = receiverName(sink);
      this.#slowLog ??= new RateLimitedLog(this.log);
      this.#slowLog.warning(`slow ${name}`, `${name} processed in ${secondsText(elapsedMs)} s`);
    } else if (elapsedMs >= this.#infoMs) {
      this.#counts.slow_info += 1;
      this.log.info(`${receiverName(sink)} processed in ${secondsText(elapsedMs)} s`);
    }
  }
}

/** Python's `{t:g}`: six significant digits, no trailing zeros. */
function secondsText(ms: number): string {
  return String(Number((ms / 1000).toPrecision(6)));
}
