import type { LoadedConfig } from '../config/load.js';
import type { ValidNode } from '../graph/validate.js';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { DataNode, DataSource, type DataReceiver } from '../core/node.js';
import { closeNode } from './close-node.js';
import { DaemonProblems } from './daemon-problems.js';
import { HoldingReceiver } from './holding-receiver.js';
import { constructNodes } from './construct-nodes.js';
import { prepareGraph, type PreparedGraph, type PrepareOptions } from './prepare.js';
import { planReload, type NodeIdentity, type ReloadPlan } from './reload-plan.js';
import {
  closeGraph,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  describePending,
  type CloseOutcome,
} from './shutdown.js';
import { sinksOf, upstreamFirst, type Edge } from './topology.js';
import { ObserveService } from './observe/service.js';

export interface DaemonOptions extends PrepareOptions {
  /** The whole shutdown's deadline; overrides `shutdown_timeout` of the config files. */
  readonly shutdownTimeoutMs?: number;
  /** Where the daemon counts its own runtime events; the CLI shares it with its fault handlers. */
  readonly problems?: DaemonProblems;
}

export interface ReloadOutcome {
  /** False when the new configuration was refused (or the daemon was stopping). */
  readonly applied: boolean;
  readonly plan: ReloadPlan;
  /** Nodes added or changed that failed to start, left out until the next reload. */
  readonly failed: readonly string[];
  readonly elapsedMs: number;
}

const log = getLogger('DataLogDaemon');
const NO_CHANGE: ReloadPlan = { kept: [], restarted: [], added: [], removed: [] };

/**
 * Reads the configuration, loads plugins, validates the whole graph (reporting every
 * problem at once), builds and connects the nodes, and runs them: sinks start before their
 * sources; at shutdown each node closes once the nodes upstream of it have. A reload
 * applies a new configuration while the nodes it does not change keep running.
 */
export class DataLogDaemon {
  readonly problems: DaemonProblems;
  readonly #options: DaemonOptions;
  #config: LoadedConfig;
  #nodes: Map<string, DataNode>;
  readonly #identities: Map<string, NodeIdentity>;
  #edges: readonly Edge[];
  readonly #observe: ObserveService;
  #started = false;
  #closing: Promise<CloseOutcome> | undefined;
  #reloading: Promise<ReloadOutcome> | undefined;
  #reloadQueued: Promise<ReloadOutcome> | undefined;
  /** Closes a reload started and has not seen finish; a stop waits for them too. */
  readonly #retiring = new Set<Promise<CloseOutcome>>();

  private constructor(
    options: DaemonOptions,
    prepared: PreparedGraph,
    nodes: Map<string, DataNode>,
  ) {
    this.#options = options;
    this.problems = options.problems ?? new DaemonProblems();
    this.#config = prepared.config;
    this.#nodes = nodes;
    this.#identities = new Map(prepared.graph.nodes.map((spec) => [spec.name, identityOf(spec)]));
    this.#edges = prepared.graph.edges;
    this.#observe = new ObserveService(this, prepared.config.settings);
  }

  /** The URL of `path` on the metrics, health and tap server, once it listens. */
  observeUrl(path = '/'): string | undefined {
    return this.#observe.url(path);
  }

  /** Builds the daemon; throws `ConfigurationErrors` listing every problem found. */
  static async create(options: DaemonOptions = {}): Promise<DataLogDaemon> {
    const prepared = await prepareGraph(options);
    const problems: DatalogdError[] = [];
    const nodes = constructNodes(prepared.graph.nodes, problems);
    if (problems.length > 0) throw new ConfigurationErrors(problems.map(prepared.locate));
    const daemon = new DataLogDaemon(options, prepared, nodes);
    daemon.#connectAll();
    return daemon;
  }

  /** The connections, as validated: what the observers sum records in over. */
  get edges(): readonly Edge[] {
    return this.#edges;
  }

  get nodes(): ReadonlyMap<string, DataNode> {
    return this.#nodes;
  }

  get config(): LoadedConfig {
    return this.#config;
  }

  /** The shutdown deadline: `--shutdown-timeout`, else `shutdown_timeout`, else 8 s. */
  get shutdownTimeoutMs(): number {
    return (
      this.#options.shutdownTimeoutMs ??
      this.#config.settings.shutdownTimeoutMs ??
      DEFAULT_SHUTDOWN_TIMEOUT_MS
    );
  }

  /** Starts sinks before their sources. A node that fails to start stops the daemon. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // Before the nodes, so that plot sinks without an address of their own share its server.
    await this.#observe.start(this.config.settings);
    const problems: DatalogdError[] = [];
    for (const name of upstreamFirst([...this.#nodes.keys()], this.#edges).reverse()) {
      try {
        await (this.#nodes.get(name) as DataNode).start();
      } catch (err) {
        problems.push(startProblem(name, err));
      }
    }
    if (problems.length > 0) {
      await this.close();
      throw new ConfigurationErrors(problems);
    }
  }

  /**
   * Closes every node within the shutdown deadline, each once the nodes upstream of it have
   * closed, independent branches at the same time; what has not closed by the deadline is
   * abandoned and reported. Idempotent.
   */
  close(): Promise<CloseOutcome> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  /** Per-node counters, for logs and later for the metrics endpoint. */
  stats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, node] of this.#nodes) out[name] = node.stats();
    return out;
  }

  /**
   * Re-reads the configuration files and the plugin directories and applies them: nodes
   * whose class and options are unchanged keep running untouched, changed and removed ones
   * are closed (flushed), new ones started, edges rewired. A configuration with problems is
   * refused and the running graph goes on as it was. One reload runs at a time; reloads
   * asked for meanwhile run once after it, with the files as they are then.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.#reloading === undefined) {
      this.#reloading = this.#reloadOnce().finally(() => {
        this.#reloading = undefined;
      });
      return this.#reloading;
    }
    this.#reloadQueued ??= this.#reloading.then(() => {
      this.#reloadQueued = undefined;
      return this.reload();
    });
    return this.#reloadQueued;
  }

  /** A method, not a field test, so that it is read afresh after every await. */
  #isStopping(): boolean {
    return this.#closing !== undefined;
  }

  async #closeAll(): Promise<CloseOutcome> {
    // /health answers "stopping" from here on; the server closes after the nodes.
    this.#observe.beginStop();
    const deadlineMs = this.shutdownTimeoutMs;
    const outcome = await closeGraph(this.#nodes, this.#edges, {
      deadlineMs,
      report: this.problems.report,
      countAbandoned: (pending) => {
        this.problems.countAbandoned(pending);
      },
    });
    // A reload's closes have deadlines of their own; a stop during one waits for them.
    await Promise.all(this.#retiring);
    await this.#observe.close();
    logShutdown(outcome, deadlineMs);
    return outcome;
  }

  async #reloadOnce(): Promise<ReloadOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let prepared: PreparedGraph;
    const problems: DatalogdError[] = [];
    let built: Map<string, DataNode>;
    let plan: ReloadPlan;
    try {
      prepared = await prepareGraph(this.#options);
      plan = planReload(this.#identities, prepared.graph.nodes.map(identityOf));
      const fresh = new Set([...plan.restarted, ...plan.added]);
      built = constructNodes(
        prepared.graph.nodes.filter((spec) => fresh.has(spec.name)),
        problems,
      );
      if (problems.length > 0) throw new ConfigurationErrors(problems.map(prepared.locate));
    } catch (err) {
      const detail = err instanceof ConfigurationErrors ? err.message : errorMessage(err);
      this.problems.report(
        'DATALOGD_ERR_RELOAD_REFUSED',
        `reload refused; the running graph goes on unchanged: ${detail}`,
      );
      return { applied: false, plan: NO_CHANGE, failed: [], elapsedMs: elapsed() };
    }
    if (this.#isStopping()) {
      return { applied: false, plan: NO_CHANGE, failed: [], elapsedMs: elapsed() };
    }
    logPlan(plan);
    this.#config = prepared.config;
    const holders = this.#holdFor(plan.restarted, prepared.graph.edges);
    await this.#retire([...plan.restarted, ...plan.removed]);
    if (this.#isStopping()) {
      for (const holder of holders.values())
        holder.discard('was not restarted: the daemon is stopping');
      return { applied: false, plan, failed: [], elapsedMs: elapsed() };
    }
    this.#edges = prepared.graph.edges;
    for (const spec of prepared.graph.nodes) {
      const node = built.get(spec.name);
      if (node === undefined) continue;
      this.#nodes.set(spec.name, node);
      this.#identities.set(spec.name, identityOf(spec));
    }
    // The new nodes' own edges first, so that a new source has its sinks when it starts.
    for (const name of built.keys()) this.#rewire(name);
    const failed = await this.#startNew([...built.keys()]);
    // In one synchronous stretch, so that nothing newer overtakes what was held.
    for (const [name, holder] of holders) {
      const node = this.#nodes.get(name);
      if (node === undefined) holder.discard('failed to start');
      else
        holder.deliverTo(node as unknown as DataReceiver, (err) => {
          this.#heldFailed(name, err);
        });
    }
    for (const name of this.#nodes.keys()) this.#rewire(name);
    this.problems.add('reloads');
    const outcome = { applied: true, plan, failed, elapsedMs: elapsed() };
    logReload(outcome);
    return outcome;
  }

  /**
   * Puts a holding receiver in the place of each node about to restart, in every running
   * source that sends to it in the new graph too, so that what they send meanwhile waits
   * for the new instance instead of being lost.
   */
  #holdFor(restarted: readonly string[], newEdges: readonly Edge[]): Map<string, HoldingReceiver> {
    const holders = new Map<string, HoldingReceiver>();
    const restarting = new Map(restarted.map((name) => [this.#nodes.get(name) as unknown, name]));
    const staying = new Set(newEdges.map(({ from, to }) => `${from}\0${to}`));
    for (const [from, source] of this.#nodes) {
      if (!(source instanceof DataSource) || restarting.has(source)) continue;
      const sinks = source.sinks;
      if (!sinks.some((sink) => restarting.has(sink))) continue;
      const replaced = sinks.flatMap((sink): DataReceiver[] => {
        const name = restarting.get(sink);
        if (name === undefined) return [sink];
        if (!staying.has(`${from}\0${name}`)) return [];
        let holder = holders.get(name);
        if (holder === undefined) {
          holder = new HoldingReceiver(name, this.problems.report);
          holders.set(name, holder);
        }
        return [holder];
      });
      source.disconnectSinks(sinks);
      source.connectSinks(replaced);
    }
    return holders;
  }

  #heldFailed(name: string, err: unknown): void {
    this.problems.report(
      'DATALOGD_ERR_SINK_THREW',
      `node "${name}" threw on data held for it during the reload: ${errorMessage(err)}`,
      { key: name },
    );
  }

  /** Takes nodes out of the running graph and closes them, flushing, under the deadline. */
  async #retire(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const leaving = new Map(names.map((name) => [name, this.#nodes.get(name) as DataNode]));
    const receivers = [...leaving.values()] as unknown as DataReceiver[];
    // Nodes that stay stop sending to them; the leaving keep their own sinks while they
    // close, so that what they flush still reaches the nodes after them.
    for (const [name, node] of this.#nodes) {
      if (!leaving.has(name) && node instanceof DataSource) node.disconnectSinks(receivers);
    }
    for (const name of names) {
      this.#nodes.delete(name);
      this.#identities.delete(name);
    }
    const closing = closeGraph(leaving, this.#edges, {
      deadlineMs: this.shutdownTimeoutMs,
      report: this.problems.report,
      countAbandoned: (pending) => {
        this.problems.countAbandoned(pending);
      },
    });
    this.#retiring.add(closing);
    try {
      await closing;
    } finally {
      this.#retiring.delete(closing);
    }
    // Their counters leave with them: said once, like the stats line at shutdown.
    for (const [name, node] of leaving) {
      const counters = Object.entries(node.stats()).filter(([, value]) => value !== 0);
      if (counters.length === 0) continue;
      log.info(`reload: ${name} closed: ${counters.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
  }

  /** Starts nodes a reload added or changed, sinks first; returns those that failed. */
  async #startNew(names: readonly string[]): Promise<string[]> {
    const failed: string[] = [];
    for (const name of upstreamFirst(names, this.#edges).reverse()) {
      // A stop that came meanwhile closes what is in the graph; nothing more may start.
      if (this.#isStopping()) break;
      const node = this.#nodes.get(name) as DataNode;
      try {
        await node.start();
      } catch (err) {
        failed.push(name);
        this.problems.report(
          'DATALOGD_ERR_RELOAD_NODE_FAILED',
          `${startProblem(name, err).message}; it is left out until the next reload`,
          { key: name },
        );
        this.#nodes.delete(name);
        this.#identities.delete(name);
        await closeNode(node).catch(() => undefined);
      }
    }
    return failed;
  }

  /** Gives a source exactly its sinks of the current graph, in edge order, when they differ. */
  #rewire(name: string): void {
    const source = this.#nodes.get(name);
    if (!(source instanceof DataSource)) return;
    const wanted = (sinksOf(this.#edges).get(name) ?? [])
      .map((to) => this.#nodes.get(to))
      .filter((sink): sink is DataNode => sink !== undefined) as unknown as DataReceiver[];
    const now = source.sinks;
    if (now.length === wanted.length && now.every((sink, i) => sink === wanted[i])) return;
    source.disconnectSinks(now);
    source.connectSinks(wanted);
  }

  #connectAll(): void {
    for (const { from, to } of this.#edges) {
      const source = this.#nodes.get(from);
      const sink = this.#nodes.get(to);
      if (!(source instanceof DataSource) || sink === undefined) continue;
      log.info(`Connecting ${from}:${source.constructor.name} -> ${to}:${sink.constructor.name}`);
      source.connectSinks(sink as unknown as DataReceiver);
    }
  }
}

function identityOf(spec: ValidNode): NodeIdentity {
  return {
    name: spec.name,
    className: spec.className,
    cls: spec.plugin.cls,
    options: spec.options,
  };
}

function startProblem(name: string, err: unknown): DatalogdError {
  return err instanceof DatalogdError
    ? err
    : new DatalogdError(
        'DATALOGD_ERR_NODE_START',
        `node "${name}" failed to start: ${errorMessage(err)}`,
        { node: name, cause: err },
      );
}

function logShutdown(outcome: CloseOutcome, deadlineMs: number): void {
  const parts = [`closed ${outcome.closed.length} nodes in ${outcome.elapsedMs} ms`];
  if (outcome.durableTotal > 0) {
    parts.push(`durable outputs flushed: ${outcome.durableClosed} of ${outcome.durableTotal}`);
  }
  if (outcome.lostAtClose.length > 0) {
    const lost = outcome.lostAtClose.map(({ name, records }) => `${name} ${records}`).join(', ');
    parts.push(`records given up while closing (counted by each node): ${lost}`);
  }
  if (outcome.failed.length > 0) parts.push(`failed to close: ${outcome.failed.join(', ')}`);
  if (outcome.abandoned.length > 0) {
    const abandoned = outcome.abandoned
      .map((node) => `${node.name}${describePending(node.pending)}`)
      .join(', ');
    parts.push(
      `abandoned ${outcome.abandoned.length} at the ${deadlineMs} ms deadline: ${abandoned}`,
    );
  }
  if (outcome.clean) log.info(`shutdown: ${parts.join('; ')}`);
  else log.error(`shutdown not clean: ${parts.join('; ')}`);
}

function logPlan(plan: ReloadPlan): void {
  const parts: string[] = [];
  if (plan.restarted.length > 0) parts.push(`restarting ${plan.restarted.join(', ')}`);
  if (plan.added.length > 0) parts.push(`adding ${plan.added.join(', ')}`);
  if (plan.removed.length > 0) parts.push(`removing ${plan.removed.join(', ')}`);
  if (parts.length > 0) log.info(`reload: ${parts.join('; ')}`);
}

function logReload(outcome: ReloadOutcome): void {
  const { plan } = outcome;
  const failed =
    outcome.failed.length === 0
      ? ''
      : `; ${outcome.failed.length} failed to start (${outcome.failed.join(', ')})`;
  log.info(
    `reload: kept ${plan.kept.length}, restarted ${plan.restarted.length}, added ${plan.added.length}, removed ${plan.removed.length} in ${outcome.elapsedMs} ms${failed}`,
  );
}
