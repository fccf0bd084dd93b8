/**
 * Names in a config file that look meant for datalogd but are not where it reads them.
 * Python datalogd ignores them silently, which hides a misspelt section or key.
 */
import { DatalogdError } from '../core/errors.js';
import { closest } from '../core/options.js';
import { DEFAULT_SECTION, type IniDocument } from './ini.js';

export interface Misspelling {
  /** `file:line`. */
  readonly where: string;
  readonly text: string;
}

/**
 * What in a file looks meant for datalogd but is not where datalogd reads it: an unknown
 * key in section `ours`, a section named nearly like it, or one of its keys in another
 * section (`[DEFAULT]` included: Python datalogd never reads its keys there).
 * Python ignores all of these, so they are warnings, unless no graph was found: then they
 * are the likely reason, and reported with it.
 */
export function misspellings(
  document: IniDocument,
  file: string,
  ours: string,
  knownKeys: readonly string[],
): Misspelling[] {
  const found: Misspelling[] = [];
  const at = (line: number | undefined): string => `${file}:${line ?? 0}`;
  for (const key of document.keys(ours)) {
    if (knownKeys.includes(key)) continue;
    const best = closest(key, knownKeys);
    found.push({
      where: at(document.entry(ours, key)?.line),
      text: `unknown key "${key}" in [${ours}]${best === undefined ? '' : ` (did you mean "${best}"?)`}`,
    });
  }
  for (const other of [DEFAULT_SECTION, ...document.sections()]) {
    if (other === ours) continue;
    if (other !== DEFAULT_SECTION && closest(other, [ours]) !== undefined) {
      found.push({
        where: at(document.headerLine(other)),
        text: `section [${other}] is not one datalogd reads (did you mean [${ours}]?)`,
      });
      continue;
    }
    for (const key of document.keys(other)) {
      if (!knownKeys.includes(key)) continue;
      found.push({
        where: at(document.entry(other, key)?.line),
        text: `${key} is in section [${other}]; datalogd reads it only from [${ours}]`,
      });
    }
  }
  return found;
}

export function asProblem(item: Misspelling): DatalogdError {
  return new DatalogdError('DATALOGD_ERR_CONFIG_UNKNOWN', `${item.where}: ${item.text}`);
}
