import { loadConfig, type LoadedConfig } from '../config/load.js';
import { parseDotJson } from '../python/values.js';
import { parseGraph, type ParsedGraph } from '../graph/dot.js';
import { validateGraph, type ValidatedGraph } from '../graph/validate.js';
import { validateNodesAsync } from '../graph/validate-async.js';
import { BUILTIN_PLUGINS } from '../plugins/index.js';
import { DEMO_GRAPH, DEMO_WARNING } from './demo-graph.js';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { DataNode, DataSource, type DataReceiver } from '../core/node.js';
import { loadPluginDirectories } from './plugin-loader.js';
import { kindFromName, Registry } from '../core/registry.js';
import { closeNode } from './close-node.js';
import { instantiate } from './construct.js';
import { atNodeLine, locateInFile, locateProblem, type GraphOrigin } from './graph-location.js';
import { upstreamFirst } from './topology.js';
import { ObserveService } from './observe/service.js';

export interface DaemonOptions {
  /** An extra config file, read after the site and user files (`-c`). */
  readonly configFile?: string;
  /** Extra plugin directories (`-p`). */
  readonly pluginDirs?: readonly string[];
  /** The connection graph as DOT text, overriding any config file (`-g`). */
  readonly graphDot?: string;
  /** `--http [HOST:]PORT`: serve metrics, health and tap there (overrides `http`). */
  readonly http?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
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
  /** The connections, as validated: what the observers sum records in over. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly config: LoadedConfig;
  readonly #order: readonly string[];
  readonly #closeTimeoutMs: number;
  readonly #observe: ObserveService;
  #started = false;
  #closing: Promise<void> | undefined;

  private constructor(
    config: LoadedConfig,
    nodes: Map<string, DataNode>,
    edges: readonly { readonly from: string; readonly to: string }[],
    order: readonly string[],
    closeTimeoutMs: number,
  ) {
    this.config = config;
    this.nodes = nodes;
    this.edges = edges;
    this.#order = order;
    this.#closeTimeoutMs = closeTimeoutMs;
    this.#observe = new ObserveService(this, config.settings);
  }

  /** The URL of `path` on the metrics, health and tap server, once it listens. */
  observeUrl(path = '/'): string | undefined {
    return this.#observe.url(path);
  }

  /** Builds the daemon; throws `ConfigurationErrors` listing every problem found. */
  static async create(options: DaemonOptions = {}): Promise<DataLogDaemon> {
    const config = await loadConfig({
      ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
      ...(options.graphDot === undefined ? {} : { graphDot: options.graphDot }),
      ...(options.pluginDirs === undefined ? {} : { pluginDirs: options.pluginDirs }),
      ...(options.http === undefined ? {} : { http: options.http }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.home === undefined ? {} : { home: options.home }),
    });
    reportConfigFiles(config, options.graphDot !== undefined);

    const registry = new Registry(BUILTIN_PLUGINS);
    const problems: DatalogdError[] = await loadPluginDirectories(config.pluginPaths, registry);
    logPluginList(registry);

    const { graph, locate } = await checkGraph(config, registry);
    problems.push(...graph.problems);
    if (problems.length > 0) throw new ConfigurationErrors(problems);

    const nodes = construct(graph, problems);
    if (problems.length > 0) throw new ConfigurationErrors(problems.map(locate));
    connect(graph, nodes);
    const order = upstreamFirst(
      graph.nodes.map((n) => n.name),
      graph.edges,
    );
    return new DataLogDaemon(config, nodes, graph.edges, order, options.closeTimeoutMs ?? 3000);
  }

  /** Starts sinks before their sources. A node that fails to start stops the daemon. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // Before the nodes, so that plot sinks without an address of their own share its server.
    await this.#observe.start(this.config.settings);
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
    this.#observe.beginStop();
    for (const name of this.#order) {
      const node = this.nodes.get(name) as DataNode;
      await closeWithin(node, this.#closeTimeoutMs);
    }
    await this.#observe.close();
  }
}

/**
 * Parses and checks the graph (the demo graph when none is configured), imports the lazy
 * built-ins it names, and runs the plugins' `validate` hooks. Problems name the config
 * file and its line when the graph was written in one.
 */
async function checkGraph(
  config: LoadedConfig,
  registry: Registry,
): Promise<{ graph: ValidatedGraph; locate: (problem: DatalogdError) => DatalogdError }> {
  let dot = config.connectionGraph;
  let origin: GraphOrigin = { file: graphFile(config), lines: config.graphLines };
  if (dot === undefined || dot === '') {
    log.warning(DEMO_WARNING);
    dot = DEMO_GRAPH;
    origin = { file: undefined, lines: [] };
  }
  const parsed = parseGraph(dot);
  await registry.load(namedClasses(parsed));
  const graph = validateGraph(parsed, registry, parseDotJson);
  for (const warning of graph.warnings) log.warning(locateInFile(warning, origin));
  const nodeLines = new Map(parsed.nodes.map((node) => [node.name, node.line]));
  const locate = (problem: DatalogdError): DatalogdError =>
    locateProblem(atNodeLine(problem, nodeLines), origin);
  const problems = [...graph.problems, ...(await validateNodesAsync(graph.nodes))].map(locate);
  return { graph: { ...graph, problems }, locate };
}

/** The config file that holds the graph, if a file does (not `-g`, not no graph at all). */
function graphFile(config: LoadedConfig): string | undefined {
  return config.filesRead.includes(config.graphFrom) ? config.graphFrom : undefined;
}

function reportConfigFiles(config: LoadedConfig, graphOnCommandLine: boolean): void {
  if (config.filesRead.length > 0) {
    log.info(`Loaded config from: ${config.filesRead.join(', ')}`);
  } else {
    const message = `No configuration file(s) were loaded. Looked for: ${config.filesLookedFor.join(', ')}`;
    if (graphOnCommandLine) log.info(message);
    else log.warning(message);
  }
}

function logPluginList(registry: Registry): void {
  for (const kind of ['DataSource', 'DataFilter', 'DataSink'] as const) {
    const names = registry.names().filter((name) => kindFromName(name) === kind);
    log.debug(`Detected ${kind} plugins: ${names.join(', ')}`);
  }
}

/** The class names a graph mentions, as its nodes' `class` attributes will decode. */
function namedClasses(graph: ParsedGraph): string[] {
  return graph.nodes.flatMap((node) => {
    const raw = node.attributes.class;
    if (raw === undefined) return [];
    const decoded = parseDotJson(raw);
    return typeof decoded === 'string' ? [decoded, raw] : [raw];
  });
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

const SECRET_OPTION = /pass(word)?|token|secret|api_?key|credential/i;

/** Option values whose names say they are secrets never reach a log line. */
function redactSecrets(options: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const secret =
      SECRET_OPTION.test(key) && !key.endsWith('_env') && value !== null && value !== '';
    shown[key] = secret ? '[redacted]' : value;
  }
  return shown;
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
