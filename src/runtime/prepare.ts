/**
 * Everything the daemon checks before it creates a node: the configuration files, the
 * plugin directories, the graph (parsed, validated, every plugin's asynchronous `validate`
 * hook). `DataLogDaemon.create` and `datalogd check`/`graph` share this one path, so a
 * configuration that passes the check is one the daemon accepts.
 */
import { readConfig, type LoadedConfig } from '../config/load.js';
import { ConfigurationErrors, DatalogdError } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { kindFromName, Registry } from '../core/registry.js';
import { parseGraph, type ParsedGraph } from '../graph/dot.js';
import { validateNodesAsync } from '../graph/validate-async.js';
import { validateGraph, type ValidatedGraph } from '../graph/validate.js';
import { BUILTIN_PLUGINS } from '../plugins/index.js';
import { parseDotJson } from '../python/values.js';
import { DEMO_GRAPH, DEMO_WARNING } from './demo-graph.js';
import { atNodeLine, locateInFile, locateProblem, type GraphOrigin } from './graph-location.js';
import { importTimeoutMs } from './import-timeout.js';
import { loadPluginDirectories } from './plugin-loader.js';

export interface PrepareOptions {
  /** An extra config file, read after the site and user files (`-c`). */
  readonly configFile?: string;
  /** Extra plugin directories (`-p`). */
  readonly pluginDirs?: readonly string[];
  /** The connection graph as DOT text, overriding any config file (`-g`). */
  readonly graphDot?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** How long one plugin file may take to import; default from the environment, else 10 s. */
  readonly pluginImportTimeoutMs?: number;
  /** `--http [HOST:]PORT`: serve metrics, health and tap there (overrides `http`). */
  readonly http?: string;
}

/** A graph that passed every check, with what it was read from. */
export interface PreparedGraph {
  readonly config: LoadedConfig;
  readonly registry: Registry;
  /** The graph as written (attributes undecoded), for tools that show what the user wrote. */
  readonly parsed: ParsedGraph;
  /** The valid graph; its `problems` are empty. */
  readonly graph: ValidatedGraph;
  /** Puts the config file and line in front of a problem found later about a node. */
  readonly locate: (problem: DatalogdError) => DatalogdError;
}

const log = getLogger('DataLogDaemon');

/** Problems that only matter when a graph is wanted. */
const GRAPH_ONLY: ReadonlySet<string> = new Set([
  'DATALOGD_ERR_CONFIG_NO_GRAPH',
  'DATALOGD_ERR_CONFIG_UNKNOWN',
]);

/** Runs every check the daemon makes before creating nodes; throws `ConfigurationErrors`. */
export async function prepareGraph(options: PrepareOptions = {}): Promise<PreparedGraph> {
  const { config, problems: configProblems } = await readConfigAndProblems(options, true);
  // A file's INI problems, its plugins' and its graph's are reported together.
  const { registry, problems } = await loadPlugins(config, options);
  problems.unshift(...configProblems);
  const checked = await checkGraph(config, registry);
  if (checked === undefined) throw new ConfigurationErrors(problems);
  problems.push(...checked.graph.problems);
  if (problems.length > 0) throw new ConfigurationErrors(problems);
  return { config, registry, ...checked };
}

/**
 * Reads the configuration files (and `-c`, `-g`, `-p`); throws `ConfigurationErrors`.
 * Finding no file is a warning when the graph is wanted and not given with `-g` (the demo
 * graph will run); `graphWanted: false` is for commands that need only the plugin paths.
 */
export async function readConfiguration(
  options: PrepareOptions = {},
  graphWanted = true,
): Promise<LoadedConfig> {
  const { config, problems } = await readConfigAndProblems(options, graphWanted);
  // Without a graph wanted, a missing one is no problem, and the misspellings found while
  // looking for it are only hints.
  const relevant = graphWanted ? problems : problems.filter((p) => !GRAPH_ONLY.has(p.code));
  if (!graphWanted) {
    for (const p of problems) if (p.code === 'DATALOGD_ERR_CONFIG_UNKNOWN') log.warning(p.message);
  }
  if (relevant.length > 0) throw new ConfigurationErrors(relevant);
  return config;
}

async function readConfigAndProblems(
  options: PrepareOptions,
  graphWanted: boolean,
): Promise<{ config: LoadedConfig; problems: DatalogdError[] }> {
  const { config, problems } = await readConfig({
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
    ...(options.graphDot === undefined ? {} : { graphDot: options.graphDot }),
    ...(options.pluginDirs === undefined ? {} : { pluginDirs: options.pluginDirs }),
    ...(options.http === undefined ? {} : { http: options.http }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.home === undefined ? {} : { home: options.home }),
  });
  reportConfigFiles(config, graphWanted && options.graphDot === undefined);
  return { config, problems: [...problems] };
}

/** The built-ins and every class in the configured plugin directories, and what failed. */
export async function loadPlugins(
  config: LoadedConfig,
  options: PrepareOptions = {},
): Promise<{ registry: Registry; problems: DatalogdError[] }> {
  const registry = new Registry(BUILTIN_PLUGINS);
  const problems: DatalogdError[] = [];
  const timeoutMs = options.pluginImportTimeoutMs ?? importTimeoutMs(options.env ?? process.env);
  if (timeoutMs instanceof DatalogdError) problems.push(timeoutMs);
  else problems.push(...(await loadPluginDirectories(config.pluginPaths, registry, timeoutMs)));
  logPluginList(registry);
  return { registry, problems };
}

/**
 * Parses and checks the graph (the demo graph when nothing at all is configured), imports
 * the lazy built-ins it names, and runs the plugins' `validate` hooks. Problems name the
 * config file and its line when the graph was written in one. Undefined when there is no
 * graph to check (the configuration's problems say why).
 */
async function checkGraph(
  config: LoadedConfig,
  registry: Registry,
): Promise<Omit<PreparedGraph, 'config' | 'registry'> | undefined> {
  let dot = config.connectionGraph;
  let origin: GraphOrigin = {
    file: graphFile(config),
    lines: config.graphLines,
    columns: config.graphColumns,
  };
  if (dot === undefined) {
    if (!config.unconfigured) return undefined;
    log.warning(DEMO_WARNING);
    dot = DEMO_GRAPH;
    origin = { file: undefined, lines: [], columns: [] };
  }
  const parsed = parseGraph(dot);
  await registry.load(namedClasses(parsed));
  const graph = validateGraph(parsed, registry, parseDotJson);
  for (const warning of graph.warnings) log.warning(locateInFile(warning, origin));
  const nodeLines = new Map(parsed.nodes.map((node) => [node.name, node.line]));
  const locate = (problem: DatalogdError): DatalogdError =>
    locateProblem(atNodeLine(problem, nodeLines), origin);
  const problems = [...graph.problems, ...(await validateNodesAsync(graph.nodes))].map(locate);
  return { parsed, graph: { ...graph, problems }, locate };
}

/** The config file that holds the graph, if a file does (not `-g`, not no graph at all). */
function graphFile(config: LoadedConfig): string | undefined {
  return config.filesRead.includes(config.graphFrom) ? config.graphFrom : undefined;
}

function reportConfigFiles(config: LoadedConfig, graphFromFiles: boolean): void {
  if (config.filesRead.length > 0) {
    log.info(`Loaded config from: ${config.filesRead.join(', ')}`);
  } else {
    const message = `No configuration file(s) were loaded. Looked for: ${config.filesLookedFor.join(', ')}`;
    if (graphFromFiles) log.warning(message);
    else log.info(message);
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
