import { errorMessage } from './errors.js';
import { DataSource, isThenable } from './node.js';

/**
 * A source that does its work in ticks: the first at `start()`, then one every `interval`
 * seconds, until `close()`. The timer lives here and nowhere else, so every ticking source
 * starts, skips and stops the same way:
 *
 * * the constructor schedules nothing; `start()` ticks at once and sets the interval; a
 *   second `start()`, or one after `close()`, does nothing;
 * * a tick that returns a promise (a reading from disk) is awaited; while it runs, the
 *   ticks that fall due are skipped and reported (DATALOGD_ERR_TICK_SKIPPED), so that a
 *   slow device cannot pile work up;
 * * a tick that throws or rejects is reported (DATALOGD_ERR_TICK_FAILED) and the next tick
 *   comes as usual;
 * * `close()` clears the timer, leaving none behind, and waits for a tick in progress.
 */
export abstract class PeriodicDataSource extends DataSource {
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #stopped = false;

  /** `intervalSeconds` comes from a `seconds()` option, so a timer can hold it. */
  constructor(intervalSeconds: number) {
    super();
    this.#intervalMs = intervalSeconds * 1000;
    this.declareEvents('DATALOGD_ERR_TICK_SKIPPED', 'DATALOGD_ERR_TICK_FAILED');
  }

  /** Whether `close()` has been called; a tick that awaited something checks it before sending. */
  protected get stopped(): boolean {
    return this.#stopped;
  }

  override start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#run();
    }, this.#intervalMs);
    this.#run();
  }

  /** One tick of work: read, compute, `send`. */
  protected abstract tick(): void | Promise<void>;

  protected override async onClose(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }

  #run(): void {
    if (this.#current !== undefined) {
      this.report('DATALOGD_ERR_TICK_SKIPPED', 'the previous tick is still running; skipped one');
      return;
    }
    let result: unknown;
    try {
      result = this.tick();
    } catch (err) {
      this.#failed(err);
      return;
    }
    if (!isThenable(result)) return;
    this.#current = Promise.resolve(result)
      .then(
        () => undefined,
        (err: unknown) => {
          this.#failed(err);
        },
      )
      .finally(() => {
        this.#current = undefined;
      });
  }

  #failed(err: unknown): void {
    this.report('DATALOGD_ERR_TICK_FAILED', `a tick failed: ${errorMessage(err)}`);
  }
}
