import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { DataFilter, DataNode, type Data, type DataReceiver } from '../../core/node.js';
import { RateLimitedLog } from '../../core/rate-limit.js';

const schema = z.object({
  info: z
    .number()
    .nonnegative()
    .default(0.1)
    .describe('Seconds a sink may take to receive before it is logged at info level.'),
  warning: z
    .number()
    .nonnegative()
    .default(0.5)
    .describe('Seconds a sink may take to receive before it is logged as a warning.'),
});

export type SinkTimerOptions = z.output<typeof schema>;

/** Milliseconds from an arbitrary origin; injectable so that tests need not be slow. */
export type Clock = () => number;

/**
 * Passes data on unchanged and times each sink's `receive`. A sink that returns a promise is
 * timed until it settles, without holding up the sinks after it. Errors are isolated per
 * sink exactly as `DataSource.send` isolates them.
 */
export class SinkTimerDataFilter extends DataFilter {
  static readonly description =
    'Passes data on unchanged, timing how long each connected sink takes to receive it (until its promise settles, for an asynchronous sink); logs at info level from `info` seconds and as a warning from `warning` seconds. Unlike Python datalogd, whose version stops after the first sink, every sink gets the data.';
  static readonly optionsSchema = schema;

  readonly #infoMs: number;
  readonly #warningMs: number;
  readonly #now: Clock;
  #sinkErrors = 0;
  #slowInfo = 0;
  #slowWarning = 0;
  #rateLimited: RateLimitedLog | undefined;

  constructor(options: SinkTimerOptions = schema.parse({}), now: Clock = () => performance.now()) {
    super();
    this.#infoMs = options.info * 1000;
    this.#warningMs = options.warning * 1000;
    this.#now = now;
  }

  override send(data: Data): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i] as DataReceiver;
      const started = this.#now();
      let result: unknown;
      try {
        result = sink.receive(data);
      } catch (err) {
        this.#timed(sink, started);
        this.#sinkFailed(sink, err);
        continue;
      }
      if (isThenable(result)) {
        result.then(
          () => {
            this.#timed(sink, started);
          },
          (err: unknown) => {
            this.#timed(sink, started);
            this.#sinkFailed(sink, err);
          },
        );
      } else {
        this.#timed(sink, started);
      }
    }
  }

  override stats(): Record<string, number> {
    return {
      ...super.stats(),
      sink_errors: this.#sinkErrors,
      slow_info: this.#slowInfo,
      slow_warning: this.#slowWarning,
    };
  }

  #timed(sink: DataReceiver, started: number): void {
    const elapsedMs = this.#now() - started;
    if (elapsedMs >= this.#warningMs) {
      this.#slowWarning += 1;
      this.#rateLimit().warning(
        `slow ${sinkName(sink)}`,
        `${sinkName(sink)} processed in ${seconds(elapsedMs)} s`,
      );
    } else if (elapsedMs >= this.#infoMs) {
      this.#slowInfo += 1;
      this.log.info(`${sinkName(sink)} processed in ${seconds(elapsedMs)} s`);
    }
  }

  #sinkFailed(sink: DataReceiver, err: unknown): void {
    this.#sinkErrors += 1;
    const name = sinkName(sink);
    this.#rateLimit().error(
      `sink ${name}`,
      `[DATALOGD_ERR_SINK_THREW] ${this.nodeName} -> ${name}: ${errorMessage(err)} (${this.#sinkErrors} sink error(s) so far)`,
    );
  }

  #rateLimit(): RateLimitedLog {
    this.#rateLimited ??= new RateLimitedLog(this.log);
    return this.#rateLimited;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function sinkName(sink: unknown): string {
  if (sink instanceof DataNode) return sink.nodeName;
  return (sink as object | null)?.constructor.name ?? String(sink);
}

/** Python's `{t:g}`: six significant digits, no trailing zeros. */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toPrecision(6)));
}
