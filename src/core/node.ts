import type { z } from 'zod';
import { errorMessage, type DatalogdError, type RuntimeCode } from './errors.js';
import { getLogger, type Logger } from './log.js';
import { ProblemCounter, type ReportOptions, type ReportProblem } from './problems.js';

export type { ReportOptions, ReportProblem } from './problems.js';

/** What a node still holds undelivered; either figure may be missing. */
export interface PendingOutput {
  readonly records?: number;
  readonly bytes?: number;
}

/** Anything can travel along an edge; by convention a list of records. */
export type Data = unknown;

/** The usual shape of a record: `type`, `id`, `value`, optional `units`, `timestamp`, extras. */
export type DataRecord = Record<string, unknown>;

/** Anything with a `receive` method can be connected as a sink. */
export interface DataReceiver {
  receive(data: Data): unknown;
}

/**
 * Whether a node is doing its job now (for `/health` and the status line): a socket client
 * that is connected, a board that was found, a database that takes writes. `since` is when
 * the node entered this state (milliseconds since the epoch); `detail` says why it is down.
 */
export interface NodeHealth {
  readonly ok: boolean;
  readonly since: number;
  readonly detail?: string;
}

/** A node's counters and gauges apart, for the metrics endpoint (counters only go up). */
export interface NodeReadings {
  readonly counters: Readonly<Record<string, number>>;
  readonly gauges: Readonly<Record<string, number>>;
}

/** A zod object schema describing a plugin's keyword options. */
export type OptionsSchema = z.ZodObject;

/** What a plugin class looks like to the registry. */
export interface PluginClass {
  new (options: never): DataNode;
  readonly name: string;
  /** Built-ins declare their options; classes without a schema get the decoded attributes. */
  readonly optionsSchema?: OptionsSchema;
  /** One line shown in listings and generated docs. */
  readonly description?: string;
  /**
   * Checks that need I/O or a library too heavy to load at start-up (a rules file, compiled
   * expressions). Called only for classes with an `optionsSchema`, with the schema's output,
   * after every schema check and before any node is constructed; each problem returned is
   * reported with the other configuration errors.
   */
  readonly validate?: (options: never, nodeName: string) => Promise<readonly DatalogdError[]>;
}

/**
 * What sources, filters and sinks share: a node name for logs, and a lifecycle.
 * Constructors do no I/O; `start()` begins the work; `close()` ends it, once.
 */
export abstract class DataNode {
  #nodeName: string | undefined;
  #log: Logger | undefined;
  #closing: Promise<void> | undefined;
  /** Every counter of this node, by name; `stats()` is these plus the gauges. */
  readonly #counters: Record<string, number> = {};
  readonly #problems = new ProblemCounter(this.#counters, () => this.log);

  /**
   * A durable output keeps data on this machine (a file, a local database, a plot file).
   * At shutdown it waits for the nodes upstream of it for a shorter time than other nodes,
   * so that it is flushed even when a network node before it hangs (docs/service.md).
   */
  static readonly durable: boolean = false;
  #health: NodeHealth = { ok: true, since: Date.now() };
  #wasUp = false;
  #reconnects = 0;

  /** The graph node name (the class name until the daemon names it). */
  get nodeName(): string {
    return this.#nodeName ?? this.constructor.name;
  }

  set nodeName(name: string) {
    this.#nodeName = name;
    this.#log = undefined;
    this.#problems.resetLog();
  }

  /** Whether this node is a durable output (the class's `static durable`). */
  get durable(): boolean {
    return (this.constructor as { readonly durable?: unknown }).durable === true;
  }

  /**
   * What the node still holds that it has not delivered (records and bytes buffered), for
   * the log line of a node abandoned at the shutdown deadline; undefined when it cannot say.
   */
  pendingOutput(): PendingOutput | undefined {
    return undefined;
  }

  /** A logger whose lines carry this node's name. */
  get log(): Logger {
    this.#log ??= getLogger(this.nodeName);
    return this.#log;
  }

  /** Begins the node's work: open ports, listen, schedule the first tick. */
  start(): void | Promise<void> {
    return undefined;
  }

  /** Stops the node's work and flushes; safe to call any number of times. */
  close(): Promise<void> {
    this.#closing ??= Promise.resolve().then(() => this.onClose());
    return this.#closing;
  }

  /**
   * Counters and gauges for the status line, health and metrics: every counter declared
   * or reported so far, then `gauges()`.
   */
  stats(): Record<string, number> {
    return { ...this.#counters, ...this.gauges() };
  }

  /** The counters and the gauges apart (metrics publish them as different types). */
  readings(): NodeReadings {
    return { counters: this.#counters, gauges: this.gauges() };
  }

  /** Whether the node is doing its job now; ok unless the node says otherwise. */
  health(): NodeHealth {
    return this.#health;
  }

  /**
   * Times the node came back after being down (a client reconnected, a board was found
   * again, a database took writes again), for the `reconnects` metric.
   */
  get reconnects(): number {
    return this.#reconnects;
  }

  /**
   * Records whether the node is doing its job. `since` moves only when `ok` changes, so
   * that a client retrying for an hour says "down since" the first failure.
   */
  protected setHealth(ok: boolean, detail?: string): void {
    const previous = this.#health;
    if (ok && !previous.ok && this.#wasUp) this.#reconnects += 1;
    if (ok) this.#wasUp = true;
    const since = ok === previous.ok ? previous.since : Date.now();
    this.#health = detail === undefined ? { ok, since } : { ok, since, detail };
  }

  /** Values that go up and down (what is buffered now); override to add some. */
  protected gauges(): Record<string, number> {
    return {};
  }

  /**
   * Declares counters, so that they show (as 0) before anything happens, and returns the
   * node's counter record typed with them: `this.counters('messages_in').messages_in += 1`
   * is a plain property increment, cheap enough for a per-record path.
   */
  protected counters<K extends string>(...names: readonly K[]): Record<K, number> {
    for (const name of names) this.#counters[name] ??= 0;
    return this.#counters;
  }

  /** Declares the counters of these runtime events (see `counters`). */
  protected declareEvents(...codes: readonly RuntimeCode[]): void {
    this.#problems.declare(...codes);
  }

  /** Reports a runtime problem; see `ReportProblem`. */
  protected report(code: RuntimeCode, message: string, options?: ReportOptions): number {
    return this.#problems.report(code, message, options);
  }

  /**
   * Counts more of a problem that persists without logging it again: for a state logged when
   * it starts and when it ends (a sensor that keeps failing, the same board refused on every
   * retry), whose start went through `report`. Returns the running count.
   */
  protected countRepeat(code: RuntimeCode, count = 1): number {
    return this.#problems.countRepeat(code, count);
  }

  /** `report` bound to this node, for the helpers (connections, writers) a node owns. */
  protected get reporter(): ReportProblem {
    return this.#problems.report;
  }

  /** Override to release resources; called once by `close()`. */
  protected onClose(): void | Promise<void> {
    return undefined;
  }
}

/** Produces data and pushes it to its connected sinks, in the order they were connected. */
export class DataSource extends DataNode {
  #sinks: DataReceiver[] = [];
  /**
   * What the metrics count per send, in one plain object of one shape: `send` runs for
   * every class of node, and two private fields updated on so many classes of receiver
   * cost the dispatch-only pipeline nearly half its rate; one load of this object does not.
   */
  readonly #traffic = { sends: 0, recordsOut: 0 };

  /** A Python-style port may pass its sinks (`super(sinks)`); options objects are ignored here. */
  constructor(sinks?: unknown) {
    super();
    this.declareEvents('DATALOGD_ERR_SINK_THREW');
    if (Array.isArray(sinks)) this.connectSinks(sinks as DataReceiver[]);
  }

  get sinks(): readonly DataReceiver[] {
    return this.#sinks;
  }

  /** Calls of `send` so far: what a tap of this node receives one message per. */
  get sends(): number {
    return this.#traffic.sends;
  }

  /** Records sent so far: a list counts its items, anything else counts one. */
  get recordsOut(): number {
    return this.#traffic.recordsOut;
  }

  /**
   * Hands `data` to every sink. A sink that throws or rejects is logged (rate-limited) and
   * counted; the other sinks and this source carry on.
   */
  send(data: Data): void {
    this.countSent(data);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i] as DataReceiver;
      try {
        const result = sink.receive(data);
        if (result !== undefined && isThenable(result)) {
          result.then(undefined, (err: unknown) => {
            this.sinkFailed(sink, err);
          });
        }
      } catch (err) {
        this.sinkFailed(sink, err);
      }
    }
  }

  /**
   * Counts one send for the metrics (two increments: the per-record path stays cheap). A
   * subclass that overrides `send` without calling it calls this instead.
   */
  protected countSent(data: Data): void {
    const traffic = this.#traffic;
    traffic.sends += 1;
    traffic.recordsOut += Array.isArray(data) ? data.length : 1;
  }

  connectSinks(sinks: DataReceiver | readonly DataReceiver[]): void {
    const candidates: readonly DataReceiver[] = Array.isArray(sinks) ? sinks : [sinks];
    for (const sink of candidates) {
      if (this.#sinks.includes(sink)) {
        this.log.warning(`Not adding duplicated sink ${receiverName(sink)}.`);
      } else if ((sink as unknown) === this) {
        this.log.warning('Not connecting a node to itself.');
      } else if (typeof (sink as Partial<DataReceiver> | null)?.receive !== 'function') {
        this.log.warning(`Skipping invalid sink ${receiverName(sink)}: it has no receive method.`);
      } else {
        this.#sinks.push(sink);
      }
    }
  }

  disconnectSinks(sinks: DataReceiver | readonly DataReceiver[]): void {
    const gone: readonly DataReceiver[] = Array.isArray(sinks) ? sinks : [sinks];
    this.#sinks = this.#sinks.filter((s) => !gone.includes(s));
  }

  /**
   * The one path for a sink that threw or rejected: counted and logged as
   * DATALOGD_ERR_SINK_THREW. A subclass that delivers to its sinks itself (to time them, say)
   * reports through here too.
   */
  protected sinkFailed(sink: DataReceiver, err: unknown): void {
    const sinkName = receiverName(sink);
    this.report(
      'DATALOGD_ERR_SINK_THREW',
      `${this.nodeName} -> ${sinkName}: ${errorMessage(err)}`,
      {
        key: sinkName,
      },
    );
  }
}

/** Receives data, transforms it, and sends the result on. */
export class DataFilter extends DataSource {
  receive(data: Data): unknown {
    this.send(data);
    return undefined;
  }
}

/** Consumes data. */
export class DataSink extends DataNode {
  receive(_data: Data): unknown {
    return undefined;
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** A sink's name for log lines: its node name, or its class name for a plain object. */
export function receiverName(sink: unknown): string {
  if (sink instanceof DataNode) return sink.nodeName;
  return (sink as object | null)?.constructor.name ?? String(sink);
}
