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

export interface RegisteredPlugin {
  readonly cls: PluginClass;
  readonly kind: PluginKind;
  /** `builtin`, or the file the class came from. */
  readonly origin: string;
}

/** Knows every plugin class by name: the explicit built-in list, then user plugin files. */
export class Registry {
  readonly #plugins = new Map<string, RegisteredPlugin>();
  readonly #log = getLogger('registry');

  constructor(builtins: readonly PluginClass[] = []) {
    for (const cls of builtins) this.register(cls, 'builtin');
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
    const previous = this.#plugins.get(cls.name);
    if (previous !== undefined && previous.cls !== cls) {
      this.#log.warning(
        `${cls.name} from ${origin} overrides the one from ${previous.origin === 'builtin' ? 'the built-ins' : previous.origin}.`,
      );
    }
    this.#plugins.set(cls.name, { cls, kind: claimed, origin });
    return undefined;
  }

  get(className: string): RegisteredPlugin | undefined {
    return this.#plugins.get(className);
  }

  names(): string[] {
    return [...this.#plugins.keys()];
  }

  all(): RegisteredPlugin[] {
    return [...this.#plugins.values()];
  }
}
