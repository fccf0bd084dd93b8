import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { DataNode, DataSource, type DataReceiver } from '../core/node.js';
import type { ValidatedGraph } from '../graph/validate.js';
import type { LoadedConfig } from '../config/load.js';
import { closeNode } from './close-node.js';
import { instantiate } from './construct.js';
import { prepareGraph, type PrepareOptions } from './prepare.js';
import { redactSecrets } from './redact.js';
import { upstreamFirst } from './topology.js';

export interface DaemonOptions extends PrepareOptions {
  /** How long `close()` waits for each node before moving on. */
  readonly closeTimeoutMs?: number;
}

const log = getLogger('DataLogDaemon');

/**
 * Reads the configuration, loads plugins, validates the whole graph (reporting every
 * problem at once), builds and connects the nodes, and runs them: sinks start before their
 * sources, sources close before their sinks.
 */
export class DataLogDaemon {
  readonly nodes: ReadonlyMap<string, DataNode>;
  readonly config: LoadedConfig;
  readonly #order: readonly string[];
  readonly #closeTimeoutMs: number;
  #started = false;
  #closing: Promise<void> | undefined;

  private constructor(
    config: LoadedConfig,
    nodes: Map<string, DataNode>,
    order: readonly string[],
    closeTimeoutMs: number,
  ) {
    this.config = config;
    this.nodes = nodes;
    this.#order = order;
    this.#closeTimeoutMs = closeTimeoutMs;
  }

  /** Builds the daemon; throws `ConfigurationErrors` listing every problem found. */
  static async create(options: DaemonOptions = {}): Promise<DataLogDaemon> {
    const { config, graph, locate } = await prepareGraph(options);
    const problems: DatalogdError[] = [];
    const nodes = construct(graph, problems);
    if (problems.length > 0) throw new ConfigurationErrors(problems.map(locate));
    connect(graph, nodes);
    const order = upstreamFirst(
      graph.nodes.map((n) => n.name),
      graph.edges,
    );
    return new DataLogDaemon(config, nodes, order, options.closeTimeoutMs ?? 3000);
  }

  /** Starts sinks before their sources. A node that fails to start stops the daemon. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const problems: DatalogdError[] = [];
    for (const name of [...this.#order].reverse()) {
      const node = this.nodes.get(name) as DataNode;
      try {
        await node.start();
      } catch (err) {
        problems.push(
          err instanceof DatalogdError
            ? err
            : new DatalogdError(
                'DATALOGD_ERR_NODE_START',
                `node "${name}" failed to start: ${errorMessage(err)}`,
                { node: name, cause: err },
              ),
        );
      }
    }
    if (problems.length > 0) {
      await this.close();
      throw new ConfigurationErrors(problems);
    }
  }

  /** Closes sources before their sinks, so what is in flight is flushed downstream. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  /** Per-node counters, for logs and later for the metrics endpoint. */
  stats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, node] of this.nodes) out[name] = node.stats();
    return out;
  }

  async #closeAll(): Promise<void> {
    for (const name of this.#order) {
      const node = this.nodes.get(name) as DataNode;
      await closeWithin(node, this.#closeTimeoutMs);
    }
  }
}

function construct(graph: ValidatedGraph, problems: DatalogdError[]): Map<string, DataNode> {
  const nodes = new Map<string, DataNode>();
  for (const spec of graph.nodes) {
    log.info(
      `Initialising node ${spec.name}:${spec.className}(${JSON.stringify(redactSecrets(spec.options))})`,
    );
    try {
      const { node, style } = instantiate(spec.plugin, spec.options);
      if (style === 'sinks-first') {
        log.debug(
          `${spec.className}'s constructor takes sinks first (Python style): called as new ${spec.className}([], options)`,
        );
      }
      node.nodeName = spec.name;
      nodes.set(spec.name, node);
    } catch (err) {
      problems.push(
        new DatalogdError(
          'DATALOGD_ERR_NODE_CONSTRUCT',
          `node "${spec.name}": ${spec.className} could not be created: ${errorMessage(err)}`,
          { node: spec.name, cause: err },
        ),
      );
    }
  }
  return nodes;
}

function connect(graph: ValidatedGraph, nodes: Map<string, DataNode>): void {
  for (const { from, to } of graph.edges) {
    const source = nodes.get(from);
    const sink = nodes.get(to);
    if (!(source instanceof DataSource) || sink === undefined) continue;
    log.info(`Connecting ${from}:${source.constructor.name} -> ${to}:${sink.constructor.name}`);
    source.connectSinks(sink as unknown as DataReceiver);
  }
}

async function closeWithin(node: DataNode, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([closeNode(node).then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') {
      log.warning(
        `[DATALOGD_ERR_NODE_CLOSE] node "${node.nodeName}" did not close within ${timeoutMs} ms.`,
      );
    }
  } catch (err) {
    log.error(
      `[DATALOGD_ERR_NODE_CLOSE] node "${node.nodeName}" failed to close: ${errorMessage(err)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
