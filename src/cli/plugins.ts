/**
 * `datalogd plugins [CLASS]`: what the daemon can load, built-in and from the plugin
 * directories (`plugin_paths` and `-p`), described from the same schemas that validate the
 * graph (core/option-docs.ts, which docs/plugins.md is generated from too).
 */
import { inspect } from 'node:util';
import type { Command } from 'commander';
import type { DatalogdError } from '../core/errors.js';
import type { PluginClass } from '../core/node.js';
import { closest } from '../core/options.js';
import {
  describeOptions,
  isPlainJson,
  optionsJsonSchema,
  summaryOf,
  type OptionDoc,
} from '../core/option-docs.js';
import type { PluginKind, RegisteredPlugin, Registry } from '../core/registry.js';
import { loadPlugins, readConfiguration } from '../runtime/prepare.js';
import {
  prepareOptions,
  problemsOf,
  reportProblems,
  setUpCommandLogging,
} from './command-options.js';

interface PluginsOptions {
  readonly json?: boolean;
  readonly schema?: boolean;
}

const KIND_TITLES: readonly (readonly [PluginKind, string])[] = [
  ['DataSource', 'Sources (DataSource)'],
  ['DataFilter', 'Filters (DataFilter)'],
  ['DataSink', 'Sinks (DataSink)'],
];

export function registerPluginsCommand(program: Command): void {
  program
    .command('plugins')
    .configureHelp({ showGlobalOptions: true })
    .description(
      'list every plugin the daemon can load (built-in and from the plugin directories); with a class name, its options with type, default and description',
    )
    .argument('[class]', 'a plugin class name, e.g. RandomWalkDataSource')
    .option('--json', 'print the listing as JSON')
    .option('--schema', "print the JSON Schema of the class's options (for editors)")
    .action(async (className: string | undefined, options: PluginsOptions, command: Command) => {
      process.exitCode = await plugins(command, className, options);
    });
}

async function plugins(
  command: Command,
  className: string | undefined,
  options: PluginsOptions,
): Promise<number> {
  setUpCommandLogging(command);
  if (options.schema === true && className === undefined) {
    command.error(
      'error: --schema needs a class name, e.g. datalogd plugins FileDataSink --schema',
      {
        exitCode: 2,
      },
    );
  }
  let registry: Registry;
  let problems: readonly DatalogdError[];
  try {
    const config = await readConfiguration(prepareOptions(command), false);
    ({ registry, problems } = await loadPlugins(config));
  } catch (err) {
    reportProblems(problemsOf(err), stderr);
    return 1;
  }
  await registry.loadAll();
  // What failed to load is said, but what did load is still listed.
  if (problems.length > 0) reportProblems(problems, stderr);
  const failed = problems.length > 0 ? 1 : 0;

  if (className === undefined) {
    const all = listed(registry);
    stdout(options.json === true ? json(all.map(pluginJson)) : listingText(all));
    return failed;
  }
  const plugin = registry.get(className);
  if (plugin === undefined) {
    const near = closest(className, registry.names());
    stderr(
      `No plugin class "${className}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; \`datalogd plugins\` lists them.\n`,
    );
    return 1;
  }
  if (options.schema === true) stdout(json(schemaOf(plugin.cls)));
  else if (options.json === true) stdout(json(pluginDetailJson(plugin)));
  else stdout(detailText(plugin));
  return failed;
}

/** By kind, the built-ins in their own order, then user plugins by file and name. */
function listed(registry: Registry): RegisteredPlugin[] {
  const all = registry.names().flatMap((name) => registry.get(name) ?? []);
  const builtins = all.filter((p) => p.origin === 'builtin');
  const users = all
    .filter((p) => p.origin !== 'builtin')
    .sort((a, b) => a.origin.localeCompare(b.origin) || a.cls.name.localeCompare(b.cls.name));
  return KIND_TITLES.flatMap(([kind]) => [...builtins, ...users].filter((p) => p.kind === kind));
}

function listingText(all: readonly RegisteredPlugin[]): string {
  const width = Math.max(...all.map((p) => p.cls.name.length));
  const lines: string[] = [];
  for (const [kind, title] of KIND_TITLES) {
    const members = all.filter((p) => p.kind === kind);
    if (members.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`${title}:`);
    for (const plugin of members) {
      const line = `  ${plugin.cls.name.padEnd(width)}  ${summaryOf(plugin.cls.description)}`;
      lines.push(shortened(line.trimEnd(), LINE_CHARS));
      if (plugin.origin !== 'builtin')
        lines.push(`  ${' '.repeat(width)}  (from ${plugin.origin})`);
    }
  }
  lines.push('', '`datalogd plugins CLASS` shows the options of one.');
  return lines.join('\n') + '\n';
}

/** Listing lines are cut to fit a terminal; `--json` and `plugins CLASS` have the whole text. */
const LINE_CHARS = process.stdout.isTTY ? Math.max(80, process.stdout.columns) : 120;

function shortened(line: string, chars: number): string {
  return line.length <= chars ? line : `${line.slice(0, chars - 1)}…`;
}

function detailText(plugin: RegisteredPlugin): string {
  const origin = plugin.origin === 'builtin' ? 'built-in' : plugin.origin;
  const lines = [`${plugin.cls.name} (${plugin.kind}, ${origin})`];
  const description = plugin.cls.description?.trim() ?? '';
  if (description !== '') lines.push('', description);
  const options = describeOptions(plugin.cls);
  lines.push('');
  if (options === undefined) {
    lines.push('No options schema: the attributes are passed to the class unchecked.');
  } else if (options.length === 0) {
    lines.push('No options.');
  } else {
    lines.push('Options:');
    const nameWidth = Math.max(...options.map((o) => o.name.length));
    const typeWidth = Math.max(...options.map((o) => o.type.length));
    for (const option of options) {
      lines.push(
        `  ${option.name.padEnd(nameWidth)}  ${option.type.padEnd(typeWidth)}  ${defaultText(option)}`,
      );
      if (option.description !== '') {
        lines.push(`  ${' '.repeat(nameWidth)}  ${option.description}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

function defaultText(option: OptionDoc): string {
  if (option.default !== undefined) return `default ${shown(option.default)}`;
  return option.required ? 'required' : 'no default';
}

/** JSON text when JSON shows the value faithfully; otherwise as Node would print it. */
function shown(value: unknown): string {
  return isPlainJson(value) ? JSON.stringify(value) : inspect(value, { breakLength: Infinity });
}

function pluginJson(plugin: RegisteredPlugin): Record<string, unknown> {
  return {
    name: plugin.cls.name,
    kind: plugin.kind,
    origin: plugin.origin,
    summary: summaryOf(plugin.cls.description),
    description: plugin.cls.description ?? '',
  };
}

function pluginDetailJson(plugin: RegisteredPlugin): Record<string, unknown> {
  const options = describeOptions(plugin.cls);
  return {
    ...pluginJson(plugin),
    options:
      options?.map((option) => ({
        name: option.name,
        type: option.type,
        required: option.required,
        // JSON has no undefined: an option without a default leaves the key out.
        ...(option.default === undefined
          ? {}
          : { default: isPlainJson(option.default) ? option.default : shown(option.default) }),
        description: option.description,
      })) ?? null,
  };
}

/** A class without a schema accepts any attributes, and its schema says so. */
function schemaOf(cls: PluginClass): Record<string, unknown> {
  const base =
    cls.optionsSchema === undefined
      ? { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }
      : optionsJsonSchema(cls.optionsSchema);
  return {
    ...base,
    title: `${cls.name} options`,
    ...(cls.description === undefined ? {} : { description: cls.description }),
  };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function stdout(text: string): void {
  process.stdout.write(text);
}

function stderr(text: string): void {
  process.stderr.write(text);
}
