/** The public API of datalogd: what a plugin author or an embedding program needs. */
export {
  DataNode,
  DataSource,
  DataFilter,
  DataSink,
  type Data,
  type DataRecord,
  type DataReceiver,
  type OptionsSchema,
  type PluginClass,
} from './core/node.js';
export { DataLogDaemon, type DaemonOptions } from './runtime/daemon.js';
export { DatalogdError, ConfigurationErrors, ERROR_CODES, type ErrorCode } from './core/errors.js';
export { Logger, getLogger, setLogLevel, type LogLevel } from './core/log.js';
export { RateLimitedLog } from './core/rate-limit.js';
export { Backoff, sleep, type BackoffOptions } from './core/backoff.js';
export { parseDotJson, listify, MATCH_ANY } from './python/values.js';
export { NullDataSource, NullDataFilter, NullDataSink } from './plugins/null.js';
