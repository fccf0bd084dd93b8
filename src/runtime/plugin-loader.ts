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
let selfResolutionRegistered = false;
let typeScriptLoader: Promise<boolean> | undefined;

/**
 * Makes `import ... from 'datalogd'` inside plugin files resolve to this running copy, and
 * `.js` files in the plugin directories load as ES modules.
 */
export function registerSelfResolution(dirs: readonly string[]): void {
  if (selfResolutionRegistered) return;
  selfResolutionRegistered = true;
  const pluginDirs = dirs.map((dir) => pathToFileURL(join(resolvePath(dir), '/')).href);
  register(new URL('./resolve-hook.js', import.meta.url), {
    data: { target: new URL('../index.js', import.meta.url).href, pluginDirs },
  });
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
    const imported = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
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
