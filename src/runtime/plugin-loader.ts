import { register } from 'node:module';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import { isPluginClass, kindFromName, type Registry } from '../core/registry.js';
import { IMPORT_TIMEOUT_ENV, settledWithin } from './import-timeout.js';

const log = getLogger('plugins');
const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs']);
const hookedDirs = new Set<string>();
let typeScriptLoader: Promise<boolean> | undefined;

/**
 * Makes `import ... from 'datalogd'` inside plugin files resolve to this running copy, and
 * `.js` files in the plugin directories load as ES modules. A directory first named at a
 * reload gets a hook of its own.
 */
export function registerSelfResolution(dirs: readonly string[]): void {
  const pluginDirs = dirs
    .map((dir) => pathToFileURL(join(resolvePath(dir), '/')).href)
    .filter((dir) => !hookedDirs.has(dir));
  if (pluginDirs.length === 0) return;
  for (const dir of pluginDirs) hookedDirs.add(dir);
  register(new URL('./resolve-hook.js', import.meta.url), {
    data: { target: new URL('../index.js', import.meta.url).href, pluginDirs },
  });
}

/**
 * The version of each plugin file imported so far, by its size and modification time. A
 * module is imported once per URL, so a file that changed since (before a reload) is
 * imported under a new URL (`?v=2`): its classes are new, and nodes of them restart. The
 * old module stays in memory; a plugin edited many times costs a module each.
 */
const fileVersions = new Map<string, { readonly stamp: string; readonly version: number }>();

async function versionedUrl(file: string): Promise<string> {
  const href = pathToFileURL(file).href;
  let stamp: string;
  try {
    const info = await stat(file);
    stamp = `${info.size}:${info.mtimeMs}`;
  } catch {
    return href;
  }
  const known = fileVersions.get(file);
  const version =
    known === undefined ? 1 : known.stamp === stamp ? known.version : known.version + 1;
  fileVersions.set(file, { stamp, version });
  return version === 1 ? href : `${href}?v=${version}`;
}

/**
 * Imports every `.js`/`.mjs` file (and `.ts` when a TypeScript loader is available) in each
 * directory and registers the plugin classes it exports. A file that takes longer than
 * `importTimeoutMs` to import is a problem too. Returns every problem found.
 */
export async function loadPluginDirectories(
  dirs: readonly string[],
  registry: Registry,
  importTimeoutMs: number,
): Promise<DatalogdError[]> {
  const problems: DatalogdError[] = [];
  if (dirs.length === 0) return problems;
  registerSelfResolution(dirs);
  for (const dir of dirs) {
    const files = await listPluginFiles(dir, problems);
    for (const file of files) await loadPluginFile(file, registry, problems, importTimeoutMs);
  }
  return problems;
}

async function listPluginFiles(dir: string, problems: DatalogdError[]): Promise<string[]> {
  const absolute = resolvePath(dir);
  try {
    if (!(await stat(absolute)).isDirectory()) throw new Error('not a directory');
    const entries = await readdir(absolute, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && isPluginFileName(e.name))
      .map((e) => join(absolute, e.name))
      .sort();
  } catch (err) {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_PLUGIN_DIR',
        `plugin directory ${absolute} cannot be read: ${errorMessage(err)}`,
        { file: absolute, cause: err },
      ),
    );
    return [];
  }
}

function isPluginFileName(name: string): boolean {
  if (name.endsWith('.d.ts')) return false;
  const ext = extname(name);
  return SCRIPT_EXTENSIONS.has(ext) || ext === '.ts';
}

async function loadPluginFile(
  file: string,
  registry: Registry,
  problems: DatalogdError[],
  importTimeoutMs: number,
): Promise<void> {
  if (extname(file) === '.ts' && !(await enableTypeScript())) {
    log.warning(
      `Skipping ${file}: this Node.js cannot load TypeScript plugins (install tsx beside datalogd, or compile the plugin to .js).`,
    );
    return;
  }
  let exports: Record<string, unknown> | undefined;
  try {
    const imported = import(await versionedUrl(file)) as Promise<Record<string, unknown>>;
    exports = await settledWithin(imported, importTimeoutMs);
  } catch (err) {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_PLUGIN_LOAD',
        `plugin file ${file} failed to load: ${errorMessage(err)}`,
        { file, cause: err },
      ),
    );
    return;
  }
  if (exports === undefined) {
    const seconds = importTimeoutMs / 1000;
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT',
        `plugin file ${file} did not finish importing within ${seconds} s: its top-level code awaits something that does not settle (do slow work in start(); ${IMPORT_TIMEOUT_ENV}=SECONDS allows longer)`,
      ),
    );
    return;
  }
  for (const value of Object.values(exports)) {
    if (!isPluginClass(value)) continue;
    const reason = registry.register(value, file);
    if (reason === undefined) continue;
    // A helper class whose name follows no suffix rule cannot be named in a graph: harmless.
    if (kindFromName(value.name) === undefined) {
      log.warning(`${file}: ${reason}; it cannot be used in a graph.`);
    } else {
      problems.push(new DatalogdError('DATALOGD_ERR_PLUGIN_CLASS', `${file}: ${reason}`, { file }));
    }
  }
}

/** TypeScript plugins load through tsx's ESM hooks when tsx is installed; otherwise they are skipped. */
function enableTypeScript(): Promise<boolean> {
  typeScriptLoader ??= (async () => {
    try {
      const api = (await import('tsx/esm/api')) as { register: () => unknown };
      api.register();
      return true;
    } catch {
      return false;
    }
  })();
  return typeScriptLoader;
}
