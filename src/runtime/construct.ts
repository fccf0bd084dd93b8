/**
 * How the daemon calls a plugin's constructor.
 *
 * Python datalogd creates a node as `Class(**options)`: the `sinks` parameter every
 * source and filter takes first keeps its default `[]` (edges are connected afterwards),
 * and each option arrives by keyword. JavaScript has no keyword arguments, so a plugin
 * receives its options as one object, and may be written either way:
 *
 * - options first, `constructor(options)`: the built-ins and the usual JavaScript shape;
 *   called as `new Cls(options)`;
 * - sinks first, `constructor(sinks = [], options = {})`, ported from Python: called as
 *   `new Cls([], options)`, so `sinks` is an empty list, as in Python, and the options
 *   come second.
 *
 * The first parameter's name tells them apart: `sinks` means sinks first. A class that
 * declares no constructor is looked at through its parents, up to datalogd's base classes.
 */
import { DataFilter, DataNode, DataSink, DataSource, type PluginClass } from '../core/node.js';
import type { RegisteredPlugin } from '../core/registry.js';
import { firstConstructorParameter } from './class-source.js';

export type ConstructorStyle = 'options-first' | 'sinks-first';

const BASE_CLASSES: ReadonlySet<unknown> = new Set([DataNode, DataSource, DataFilter, DataSink]);

/** The first parameter name that marks a Python-style constructor. */
export const SINKS_PARAMETER = 'sinks';

export function constructorStyle(cls: PluginClass): ConstructorStyle {
  for (let c: unknown = cls; typeof c === 'function' && !BASE_CLASSES.has(c);) {
    const parameter = firstConstructorParameter(Function.prototype.toString.call(c));
    if (parameter.kind === 'named') {
      return parameter.name === SINKS_PARAMETER ? 'sinks-first' : 'options-first';
    }
    if (parameter.kind === 'other') return 'options-first';
    c = Object.getPrototypeOf(c);
  }
  return 'options-first';
}

/**
 * Creates the node. Built-ins are options first by construction; a user class is called
 * in the style its constructor is written in.
 */
export function instantiate(
  plugin: RegisteredPlugin,
  options: Record<string, unknown>,
): { readonly node: DataNode; readonly style: ConstructorStyle } {
  const style = plugin.origin === 'builtin' ? 'options-first' : constructorStyle(plugin.cls);
  if (style === 'sinks-first') {
    const Cls = plugin.cls as unknown as new (
      sinks: unknown[],
      options: Record<string, unknown>,
    ) => DataNode;
    return { node: new Cls([], options), style };
  }
  const Cls = plugin.cls as unknown as new (options: Record<string, unknown>) => DataNode;
  return { node: new Cls(options), style };
}
