/**
 * Where datalogd looks for its configuration files, following Python `appdirs` on Linux
 * (which is what Python datalogd uses there). The same XDG rules apply on macOS and Windows
 * too: one predictable place per platform beats appdirs' `~/Library/Application Support` and
 * `%APPDATA%` variants, and `XDG_CONFIG_HOME`/`XDG_CONFIG_DIRS` still let a user move them.
 */
import os from 'node:os';
import path from 'node:path';

const APP = 'datalogd';
const FILE = 'datalogd.conf';

/**
 * The site-wide configuration file. Python datalogd calls
 * `appdirs.site_config_dir("datalogd", multipath=False)`, which takes only the FIRST entry
 * of `$XDG_CONFIG_DIRS` (default `/etc/xdg`); we do the same, so the list has one file.
 * It is a list so that honouring every entry later does not change the signature.
 * As appdirs does, a leading `~` in the entry is expanded. Unlike appdirs, empty entries
 * are skipped and an empty variable counts as unset (the XDG rule), where appdirs would
 * look in `/datalogd`.
 */
export function siteConfigFiles(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string[] {
  const first = (env['XDG_CONFIG_DIRS'] ?? '').split(':').find((dir) => dir !== '') ?? '/etc/xdg';
  return [path.join(expandHome(first, home), APP, FILE)];
}

/**
 * The per-user configuration file: `$XDG_CONFIG_HOME/datalogd/datalogd.conf`, by default
 * `~/.config/datalogd/datalogd.conf`. An empty `XDG_CONFIG_HOME` counts as unset.
 */
export function userConfigFile(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  const dir = nonEmpty(env['XDG_CONFIG_HOME']) ?? path.join(home, '.config');
  return path.join(dir, APP, FILE);
}

/** `~` and `~/...` become the home directory; `~user` forms are left alone. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith(`~${path.sep}`)) return path.join(home, p.slice(2));
  return p;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
