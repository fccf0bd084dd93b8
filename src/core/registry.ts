import { DataFilter, DataNode, DataSink, DataSource, type PluginClass } from './node.js';
import { getLogger } from './log.js';

export type PluginKind = 'DataSource' | 'DataFilter' | 'DataSink';

const KINDS: readonly PluginKind[] = ['DataSource', 'DataFilter', 'DataSink'];

/**
 * The kind a class name claims, by Python datalogd's rule: the text after the last
 * occurrence of "Data", prefixed with "Data" (`CSVDataFilter` -> `DataFilter`).
 */
export function kindFromName(className: string): PluginKind | undefined {
  const at = className.lastIndexOf('Data');
  if (at < 0) return undefined;
  const kind = className.slice(at);
  return (KINDS as readonly string[]).includes(kind) ? (kind as PluginKind) : undefined;
}

/** The kind a class really is, by what it extends. */
export function kindOfClass(cls: PluginClass): PluginKind | undefined {
  const proto: unknown = cls.prototype;
  if (proto instanceof DataFilter) return 'DataFilter';
  if (proto instanceof DataSource) return 'DataSource';
  if (proto instanceof DataSink) return 'DataSink';
  return undefined;
}

export function isPluginClass(value: unknown): value is PluginClass {
  return typeof value === 'function' && (value.prototype as unknown) instanceof DataNode;
}

/**
 * What is wrong with a class's `optionsSchema` or `validate` members, if anything. The graph
 * checks options with `schema.strict().safeParse(...)` and lists `schema.shape`, so the
 * schema must be a `z.object(...)` (from the `z` datalogd exports).
 */
function optionsHookProblem(cls: PluginClass): string | undefined {
  const schema: unknown = cls.optionsSchema;
  if (schema !== undefined && !isObjectSchema(schema)) {
    return `class ${cls.name} has an optionsSchema that is not a z.object({...}) schema; build it with z.object from 'datalogd'`;
  }
  const hook: unknown = cls.validate;
  if (hook !== undefined && typeof hook !== 'function') {
    return `class ${cls.name} has a static validate that is not a function`;
  }
  return undefined;
}

function isObjectSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const schema = value as { safeParse?: unknown; strict?: unknown; shape?: unknown };
  return (
    typeof schema.safeParse === 'function' &&
    typeof schema.strict === 'function' &&
    typeof schema.shape === 'object' &&
    schema.shape !== null
  );
}

/** A built-in known by its name, whose module is imported only when a graph uses it. */
export interface LazyPlugin {
  readonly name: string;
  readonly load: () => Promise<PluginClass>;
}

export interface RegisteredPlugin {
  readonly cls: PluginClass;
  readonly kind: PluginKind;
  /** `builtin`, or the file the class came from. */
  readonly origin: string;
}

/**
 * Knows every plugin class by name: the built-ins, then user plugin files. Built-ins may be
 * lazy, so that a graph pays start-up time and memory only for the classes it names; their
 * names are known from the start, for suggestions and listings.
 */
export class Registry {
  readonly #plugins = new Map<string, RegisteredPlugin>();
  readonly #lazy = new Map<string, LazyPlugin>();
  readonly #log = getLogger('registry');

  constructor(builtins: readonly (PluginClass | LazyPlugin)[] = []) {
    for (const entry of builtins) {
      if ('load' in entry && !isPluginClass(entry)) this.#lazy.set(entry.name, entry);
      else this.register(entry, 'builtin');
    }
  }

  /** Imports the lazy built-ins among `names`; names that are not lazy built-ins are ignored. */
  async load(names: Iterable<string>): Promise<void> {
    const wanted = [...new Set(names)].flatMap((name) => {
      const entry = this.#lazy.get(name);
      return entry === undefined ? [] : [entry];
    });
    const classes = await Promise.all(wanted.map((entry) => entry.load()));
    wanted.forEach((entry, i) => {
      this.#lazy.delete(entry.name);
      const cls = classes[i] as PluginClass;
      if (cls.name !== entry.name) {
        throw new Error(`built-in ${entry.name} loaded a class named ${cls.name}`);
      }
      this.register(cls, 'builtin');
    });
  }

  /** Imports every lazy built-in (for documentation and listings). */
  async loadAll(): Promise<void> {
    await this.load([...this.#lazy.keys()]);
  }

  /**
   * Adds a class. Returns a reason when the class cannot be a plugin. A user class with a
   * built-in's name replaces it, with a warning.
   */
  register(cls: PluginClass, origin: string): string | undefined {
    const claimed = kindFromName(cls.name);
    const actual = kindOfClass(cls);
    if (claimed === undefined) {
      return `class ${cls.name} extends ${actual ?? 'no datalogd base class'} but its name does not end in DataSource, DataFilter or DataSink`;
    }
    if (actual !== claimed) {
      return `class ${cls.name} is named as a ${claimed} but extends ${actual ?? 'no datalogd base class'}`;
    }
    const hookProblem = optionsHookProblem(cls);
    if (hookProblem !== undefined) return hookProblem;
    if (cls.optionsSchema === undefined && typeof cls.validate === 'function') {
      this.#log.warning(
        `${cls.name} from ${origin} has a static validate() but no optionsSchema; validate() is called only for classes with an optionsSchema.`,
      );
    }
    const previous = this.#plugins.get(cls.name);
    const previousOrigin = this.#lazy.has(cls.name) ? 'builtin' : previous?.origin;
    if (previousOrigin !== undefined && previous?.cls !== cls) {
      this.#log.warning(
        `${cls.name} from ${origin} overrides the one from ${previousOrigin === 'builtin' ? 'the built-ins' : previousOrigin}.`,
      );
    }
    this.#lazy.delete(cls.name);
    this.#plugins.set(cls.name, { cls, kind: claimed, origin });
    return undefined;
  }

  get(className: string): RegisteredPlugin | undefined {
    return this.#plugins.get(className);
  }

  /** Every known class name, loaded or not. */
  names(): string[] {
    return [...this.#plugins.keys(), ...this.#lazy.keys()];
  }
}
