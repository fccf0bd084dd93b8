/**
 * Module resolution hook, registered with `module.register` before user plugins load, so
 * that `import { DataSource } from 'datalogd'` in a plugin file anywhere on disk resolves
 * to the very module the daemon runs (same classes, so `instanceof` holds), whether
 * datalogd was installed globally, run with npx or from a checkout, with no node_modules
 * near the plugin.
 */
interface HookData {
  readonly target: string;
  /** The plugin directories, as `file:` URLs ending in `/`. */
  readonly pluginDirs?: readonly string[];
}

interface ResolveResult {
  readonly url: string;
  readonly shortCircuit?: boolean;
  readonly format?: string | null;
}

type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

let target: string | undefined;
let pluginDirs: readonly string[] = [];

export function initialize(data: HookData): void {
  target = data.target;
  pluginDirs = data.pluginDirs ?? [];
}

/** A `.js` file in a plugin directory, not one of the packages a plugin depends on. */
function isPluginScript(url: string): boolean {
  if (!withoutQuery(url).endsWith('.js') || url.includes('/node_modules/')) return false;
  return pluginDirs.some((dir) => url.startsWith(dir));
}

/** A plugin file re-imported at a reload has a version query (`?v=2`). */
function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: NextResolve,
): Promise<ResolveResult> {
  if (target !== undefined && specifier === 'datalogd') {
    return { url: target, shortCircuit: true, format: 'module' };
  }
  const resolved = await nextResolve(specifier, context);
  // A plugin directory has no package.json saying "type": "module", so a TypeScript loader
  // would compile a .ts plugin as CommonJS, and a Node.js 20 without syntax detection
  // (before 20.19) would read a .js plugin as CommonJS; plugins are ES modules, like the
  // .mjs ones.
  if (
    resolved.url.startsWith('file:') &&
    (withoutQuery(resolved.url).endsWith('.ts') || isPluginScript(resolved.url))
  ) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
