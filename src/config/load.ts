/**
 * Reads the configuration the way Python datalogd does: site file, user file, then `-c`,
 * later keys overriding earlier ones, `-g` overriding the graph. Every problem in every
 * file is collected, so that they are reported together (with the graph's own problems).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { describeValue } from '../core/options.js';
import { type IniDocument, type IniEntry, mergeIni, parseIniCollecting } from './ini.js';
import { expandHome, siteConfigFiles, userConfigFile } from './locations.js';
import { asProblem, misspellings } from './misspellings.js';
import { listify, parseDotJson } from '../python/values.js';
import {
  readDaemonSettings,
  SETTINGS_KEYS,
  type DaemonSettings,
  type SettingsLookup,
} from './daemon-settings.js';

export const CONFIG_SECTION = 'datalogd';
const KNOWN_KEYS: readonly string[] = ['connection_graph', 'plugin_paths', ...SETTINGS_KEYS];

export interface LoadConfigOptions {
  /** `-c`: read last; unlike the site and user files it must exist. */
  readonly configFile?: string;
  /** `-g`: replaces `connection_graph` from every file. */
  readonly graphDot?: string;
  /** `-p`: appended to the files' `plugin_paths`, as given. */
  readonly pluginDirs?: readonly string[];
  /** `--http [HOST:]PORT`: replaces the files' `http`. */
  readonly http?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
}

export interface LoadedConfig {
  /**
   * The DOT text, whitespace-stripped; undefined when there is none: either nothing at all
   * is configured (`unconfigured`), or the missing graph is one of the problems.
   */
  readonly connectionGraph: string | undefined;
  /** No configuration file exists and no `-g` was given: the one case for the demo graph. */
  readonly unconfigured: boolean;
  /** `'command line'`, the path of the file that set the graph, or `'none'`. */
  readonly graphFrom: string;
  /**
   * The line in `graphFrom` of each line of `connectionGraph`, so graph problems can name
   * the file's line; empty when the graph is not from a file (or `%(...)s` reshaped it).
   */
  readonly graphLines: readonly number[];
  /**
   * The characters of the file's line before each line of `connectionGraph`, so a column
   * can be given as the file shows it; empty when unknown (not a file, or interpolated).
   */
  readonly graphColumns: readonly number[];
  /** Absolute paths from the files (relative ones resolved against their file), then `-p`. */
  readonly pluginPaths: string[];
  /** The files that existed and were read, in reading order. */
  readonly filesRead: string[];
  /** Every file looked for, in reading order (for "no configuration loaded" messages). */
  readonly filesLookedFor: string[];
  /** The daemon's own keys: status line, web address for metrics, health and tap. */
  readonly settings: DaemonSettings;
}

const log = getLogger('config');

export interface ConfigResult {
  readonly config: LoadedConfig;
  /** Every problem found in every file, in reading order; the config is usable when empty. */
  readonly problems: readonly DatalogdError[];
}

/** Reads the configuration; throws `ConfigurationErrors` listing every problem found. */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const { config, problems } = await readConfig(opts);
  if (problems.length > 0) throw new ConfigurationErrors(problems);
  return config;
}

/**
 * Reads the configuration and returns its problems beside what could be read, so that the
 * graph can still be checked and its problems reported with the file's.
 */
export async function readConfig(opts: LoadConfigOptions = {}): Promise<ConfigResult> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? os.homedir();
  const optional = [...siteConfigFiles(env, home), userConfigFile(env, home)];
  const wanted = [
    ...optional.map((file) => ({ file, required: false })),
    ...(opts.configFile === undefined ? [] : [{ file: opts.configFile, required: true }]),
  ];
  const texts = await Promise.all(wanted.map(({ file, required }) => readText(file, required)));

  const problems: DatalogdError[] = [];
  const documents: IniDocument[] = [];
  const filesRead: string[] = [];
  wanted.forEach(({ file }, index) => {
    const text = texts[index];
    if (text === undefined || text === null) return;
    if (text instanceof DatalogdError) {
      problems.push(text);
      return;
    }
    filesRead.push(file);
    const parsed = parseIniCollecting(text, file);
    problems.push(...parsed.problems);
    documents.push(parsed.document);
  });
  // A file that exists (or was named) but cannot be read explains a missing graph itself.
  const unreadable = texts.some((text) => text instanceof DatalogdError);

  const config = mergeIni(...documents);
  const graph =
    opts.graphDot === undefined
      ? readGraph(config, problems)
      : graphFromCommandLine(opts.graphDot, problems);
  const pluginPaths = [...readPluginPaths(config, home, problems), ...(opts.pluginDirs ?? [])];
  const misspelt = documents.flatMap((document, i) =>
    misspellings(document, filesRead[i] ?? '', CONFIG_SECTION, KNOWN_KEYS),
  );
  const unconfigured = filesRead.length === 0 && opts.graphDot === undefined && !unreadable;
  if (graph.missing && !unconfigured && !unreadable) {
    // Python would fail here too ("No plugin nodes were initialised"); say why, and where.
    problems.push(noGraph(filesRead), ...misspelt.map(asProblem));
  } else {
    for (const item of misspelt) log.warning(`${item.where}: ${item.text}; ignored`);
  }
  const settings = readDaemonSettings(
    settingsLookup(config, problems),
    env,
    opts.http === undefined ? {} : { http: opts.http },
    problems,
  );
  return {
    config: {
      connectionGraph: graph.connectionGraph,
      unconfigured,
      graphFrom: graph.graphFrom,
      graphLines: graph.graphLines,
      graphColumns: graph.graphColumns,
      pluginPaths,
      filesRead,
      filesLookedFor: wanted.map(({ file }) => file),
      settings,
    },
    problems,
  };
}

type GraphText = Pick<
  LoadedConfig,
  'connectionGraph' | 'graphFrom' | 'graphLines' | 'graphColumns'
> & {
  /** No graph and no problem says why yet (an interpolation problem does say why). */
  readonly missing: boolean;
};

const NO_GRAPH: GraphText = {
  connectionGraph: undefined,
  graphFrom: 'none',
  graphLines: [],
  graphColumns: [],
  missing: true,
};

const EXAMPLE_GRAPH = 'digraph { a [class=RandomWalkDataSource]; b [class=PrintDataSink]; a -> b }';

function graphFromCommandLine(dot: string, problems: DatalogdError[]): GraphText {
  const text = dot.trim();
  if (text === '') {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_CONFIG_NO_GRAPH',
        `-g gives an empty connection graph; give the DOT text, e.g. -g '${EXAMPLE_GRAPH}'`,
      ),
    );
    return { ...NO_GRAPH, graphFrom: 'command line', missing: false };
  }
  return {
    connectionGraph: text,
    graphFrom: 'command line',
    graphLines: [],
    graphColumns: [],
    missing: false,
  };
}

function noGraph(filesRead: readonly string[]): DatalogdError {
  const which =
    filesRead.length === 1
      ? `the configuration file ${filesRead.join('')} does not set`
      : `none of the configuration files ${filesRead.join(', ')} sets`;
  return new DatalogdError(
    'DATALOGD_ERR_CONFIG_NO_GRAPH',
    `no connection graph: ${which} connection_graph in [${CONFIG_SECTION}], and no -g was given (the demo graph runs only when nothing is configured); write it as\n      [${CONFIG_SECTION}]\n      connection_graph =\n          ${EXAMPLE_GRAPH}`,
  );
}

/** The text, null when an optional file is absent, or the problem reading it. */
async function readText(file: string, required: boolean): Promise<string | null | DatalogdError> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const absent = code === 'ENOENT' || code === 'ENOTDIR';
    if (absent && !required) return null;
    const message = absent
      ? `${file}: configuration file not found`
      : `${file}: cannot read configuration file: ${errorMessage(err)}`;
    return new DatalogdError('DATALOGD_ERR_CONFIG_READ', message, { file, cause: err });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    return new DatalogdError(
      'DATALOGD_ERR_CONFIG_READ',
      `${file}: configuration file is not valid UTF-8 text`,
      { file, cause: err },
    );
  }
}

/**
 * Python datalogd seeds `[datalogd]` with both keys, so a `[DEFAULT]` value never reaches
 * them; only keys written in the section itself count.
 */
function ownEntry(config: IniDocument, key: string): IniEntry | undefined {
  return config.keys(CONFIG_SECTION).includes(key) ? config.entry(CONFIG_SECTION, key) : undefined;
}

function readGraph(config: IniDocument, problems: DatalogdError[]): GraphText {
  const entry = ownEntry(config, 'connection_graph');
  if (entry === undefined) return NO_GRAPH;
  const text = interpolated(config, 'connection_graph', problems);
  if (text === undefined) return { ...NO_GRAPH, missing: false };
  if (text.trim() === '') {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_CONFIG_NO_GRAPH',
        `${entry.source}:${entry.line}: [${CONFIG_SECTION}] connection_graph is empty; write the DOT text after it, its lines indented, e.g.\n      connection_graph =\n          ${EXAMPLE_GRAPH}`,
        { option: 'connection_graph' },
      ),
    );
    return { ...NO_GRAPH, graphFrom: entry.source, missing: false };
  }
  const sameShape = text.split('\n').length === entry.valueLines.length;
  const trimmedLines = text.slice(0, text.length - text.trimStart().length).split('\n').length - 1;
  // Interpolation may make a line longer or shorter: then only its line is known.
  const sameText = text === entry.value;
  return {
    connectionGraph: text.trim(),
    graphFrom: entry.source,
    graphLines: sameShape ? entry.valueLines.slice(trimmedLines) : [],
    graphColumns: sameText ? entry.valueColumns.slice(trimmedLines) : [],
    missing: false,
  };
}

function readPluginPaths(config: IniDocument, home: string, problems: DatalogdError[]): string[] {
  const entry = ownEntry(config, 'plugin_paths');
  const text = entry && interpolated(config, 'plugin_paths', problems);
  if (entry === undefined || text === undefined || text.trim() === '') return [];
  const base = path.dirname(path.resolve(entry.source));
  const paths: string[] = [];
  for (const item of listify(parseDotJson(text))) {
    if (typeof item === 'string' && item !== '') {
      paths.push(path.resolve(base, expandHome(item, home)));
      continue;
    }
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_PLUGIN_DIR',
        `${entry.source}:${entry.line}: [${CONFIG_SECTION}] plugin_paths: entry ${describeValue(item)} is not a directory path; write plugin_paths = ['/path/one', '/path/two']`,
        { option: 'plugin_paths', file: entry.source, line: entry.line },
      ),
    );
  }
  return paths;
}

/** The daemon's own keys as written in `[datalogd]` itself, with the file and line. */
function settingsLookup(config: IniDocument, problems: DatalogdError[]): SettingsLookup {
  return (key) => {
    const entry = ownEntry(config, key);
    const text = entry && interpolated(config, key, problems);
    if (entry === undefined || text === undefined) return undefined;
    return { text, where: `${entry.source}:${entry.line}: [${CONFIG_SECTION}] ` };
  };
}

function interpolated(
  config: IniDocument,
  key: string,
  problems: DatalogdError[],
): string | undefined {
  try {
    return config.get(CONFIG_SECTION, key);
  } catch (err) {
    if (!(err instanceof DatalogdError)) throw err;
    problems.push(err);
    return undefined;
  }
}
