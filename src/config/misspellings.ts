/**
 * Names in a config file that look meant for datalogd but are not where it reads them.
 * Python datalogd ignores them silently, which hides a misspelt section or key.
 */
import { DatalogdError } from '../core/errors.js';
import { closest } from '../core/options.js';
import { DEFAULT_SECTION, type IniDocument } from './ini.js';

/** The one section datalogd reads, and its keys. */
export const CONFIG_SECTION = 'datalogd';
export const KNOWN_KEYS: readonly string[] = ['connection_graph', 'plugin_paths'];

export interface Misspelling {
  /** `file:line`. */
  readonly where: string;
  readonly text: string;
}

/**
 * What in a file looks meant for datalogd but is not where datalogd reads it: an unknown
 * key in `[datalogd]`, a section named like it, or one of its keys in another section.
 * Python ignores all of these, so they are warnings, unless no graph was found: then they
 * are the likely reason, and reported with it.
 */
export function misspellings(document: IniDocument, file: string): Misspelling[] {
  const found: Misspelling[] = [];
  const at = (line: number | undefined): string => `${file}:${line ?? 0}`;
  for (const key of document.keys(CONFIG_SECTION)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const best = closest(key, KNOWN_KEYS);
    found.push({
      where: at(document.entry(CONFIG_SECTION, key)?.line),
      text: `unknown key "${key}" in [${CONFIG_SECTION}]${best === undefined ? '' : ` (did you mean "${best}"?)`}`,
    });
  }
  for (const section of [DEFAULT_SECTION, ...document.sections()]) {
    if (section === CONFIG_SECTION) continue;
    const keys = document.keys(section).filter((key) => closest(key, KNOWN_KEYS) !== undefined);
    const near = section !== DEFAULT_SECTION && closest(section, [CONFIG_SECTION]) !== undefined;
    if (near) {
      found.push({
        where: at(document.headerLine(section)),
        text: `section [${section}] is not one datalogd reads (did you mean [${CONFIG_SECTION}]?)`,
      });
    } else {
      for (const key of keys) {
        found.push({
          where: at(document.entry(section, key)?.line),
          text: `${key} is in section [${section}]; datalogd reads it only from [${CONFIG_SECTION}]`,
        });
      }
    }
  }
  return found;
}

export function asProblem(item: Misspelling): DatalogdError {
  return new DatalogdError('DATALOGD_ERR_CONFIG_UNKNOWN', `${item.where}: ${item.text}`);
}
