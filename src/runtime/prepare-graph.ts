import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../config/load.js';
import { parseDotJson } from '../python/values.js';
import { parseGraph, type ParsedGraph } from '../graph/dot.js';
import { validateGraph, type ValidatedGraph, type ValidNode } from '../graph/validate.js';
import { validateNodesAsync } from '../graph/validate-async.js';
import { BUILTIN_PLUGINS } from '../plugins/index.js';
import { DEMO_GRAPH, DEMO_WARNING } from './demo-graph.js';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import type { DataNode } from '../core/node.js';
import { loadPluginDirectories } from './plugin-loader.js';
import { kindFromName, Registry } from '../core/registry.js';
import { instantiate } from './construct.js';
import { atNodeLine, locateInFile, locateProblem, type GraphOrigin } from './graph-location.js';

const log = getLogger('DataLogDaemon');

export interface PreparedGraph {
  readonly config: LoadedConfig;
  readonly graph: ValidatedGraph;
  /** Puts the config file and line in front of a problem about a node. */
  readonly locate: (problem: DatalogdError) => DatalogdError;
}

/**
 * Reads the configuration files and the plugin directories, and checks the whole graph;
 * throws `ConfigurationErrors` listing every problem found. Nothing is constructed: the
 * daemon does this at start and again at every reload.
 */
export async function prepareGraph(options: LoadConfigOptions): Promise<PreparedGraph> {
  const config = await loadConfig(options);
  reportConfigFiles(config, options.graphDot !== undefined);

  const registry = new Registry(BUILTIN_PLUGINS);
  const problems: DatalogdError[] = await loadPluginDirectories(config.pluginPaths, registry);
  logPluginList(registry);

  const { graph, locate } = await checkGraph(config, registry);
  problems.push(...graph.problems);
  if (problems.length > 0) throw new ConfigurationErrors(problems);
  return { config, graph, locate };
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

/** Creates the nodes (constructors do no I/O); a constructor that throws is a problem. */
export function constructNodes(
  specs: readonly ValidNode[],
  problems: DatalogdError[],
): Map<string, DataNode> {
  const nodes = new Map<string, DataNode>();
  for (const spec of specs) {
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
