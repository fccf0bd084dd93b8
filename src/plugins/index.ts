import type { PluginClass } from '../core/node.js';
import { NullDataFilter, NullDataSink, NullDataSource } from './null.js';

/** The explicit list of built-in plugins; the registry knows nothing else until plugin dirs load. */
export const BUILTIN_PLUGINS: readonly PluginClass[] = [NullDataSource, NullDataFilter, NullDataSink];
