/**
 * Reads the configuration the way Python datalogd does: site file, user file, then `-c`,
 * later keys overriding earlier ones, `-g` overriding the graph. Every problem in every
 * file is collected and thrown together as one `ConfigurationErrors`.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { closest } from '../core/options.js';
import { type IniDocument, type IniEntry, mergeIni, parseIniCollecting } from './ini.js';
import { expandHome, siteConfigFiles, userConfigFile } from './locations.js';
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
  /** The DOT text, whitespace-stripped; undefined when no file and no `-g` gave one. */
  readonly connectionGraph: string | undefined;
  /** `'command line'`, the path of the file that set the graph, or `'none'`. */
  readonly graphFrom: string;
  /**
   * The line in `graphFrom` of each line of `connectionGraph`, so graph problems can name
   * the file's line; empty when the graph is not from a file (or `%(...)s` reshaped it).
   */
  readonly graphLines: readonly number[];
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

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
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
    warnUnknownKeys(parsed.document, file);
    documents.push(parsed.document);
  });

  const config = mergeIni(...documents);
  const graph =
    opts.graphDot === undefined
      ? readGraph(config, problems)
      : { connectionGraph: opts.graphDot.trim(), graphFrom: 'command line', graphLines: [] };
  const pluginPaths = [...readPluginPaths(config, home, problems), ...(opts.pluginDirs ?? [])];
  const settings = readDaemonSettings(
    settingsLookup(config, problems),
    env,
    opts.http === undefined ? {} : { http: opts.http },
    problems,
  );
  if (problems.length > 0) throw new ConfigurationErrors(problems);
  return {
    ...graph,
    pluginPaths,
    filesRead,
    filesLookedFor: wanted.map(({ file }) => file),
    settings,
  };
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
    return new DatalogdError('DATALOGD_ERR_CONFIG_READ', message, { cause: err });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    return new DatalogdError(
      'DATALOGD_ERR_CONFIG_READ',
      `${file}: configuration file is not valid UTF-8 text`,
      { cause: err },
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

function readGraph(
  config: IniDocument,
  problems: DatalogdError[],
): Pick<LoadedConfig, 'connectionGraph' | 'graphFrom' | 'graphLines'> {
  const entry = ownEntry(config, 'connection_graph');
  const text = entry && interpolated(config, 'connection_graph', problems);
  if (entry === undefined || text === undefined) {
    return { connectionGraph: undefined, graphFrom: 'none', graphLines: [] };
  }
  const sameShape = text.split('\n').length === entry.valueLines.length;
  const trimmedLines = text.slice(0, text.length - text.trimStart().length).split('\n').length - 1;
  return {
    connectionGraph: text.trim(),
    graphFrom: entry.source,
    graphLines: sameShape ? entry.valueLines.slice(trimmedLines) : [],
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
        `${entry.source}:${entry.line}: [${CONFIG_SECTION}] plugin_paths: entry ${show(item)} is not a directory path; write plugin_paths = ['/path/one', '/path/two']`,
        { option: 'plugin_paths' },
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

function show(value: unknown): string {
  // JSON.stringify returns undefined for a symbol (MATCH_ANY) and turns NaN into null.
  return typeof value === 'number' || typeof value === 'symbol'
    ? String(value)
    : JSON.stringify(value);
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

/** Python ignores unknown keys; a misspelt `connection_graph` would then go unnoticed. */
function warnUnknownKeys(document: IniDocument, file: string): void {
  for (const key of document.keys(CONFIG_SECTION)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const best = closest(key, KNOWN_KEYS);
    const hint = best === undefined ? '' : ` (did you mean "${best}"?)`;
    const line = document.entry(CONFIG_SECTION, key)?.line ?? 0;
    log.warning(`${file}:${line}: unknown key "${key}" in [${CONFIG_SECTION}] ignored${hint}`);
  }
}
