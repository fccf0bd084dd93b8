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
  type PendingOutput,
  type PluginClass,
  type ReportProblem,
  type ReportOptions,
  type NodeHealth,
  type NodeReadings,
} from './core/node.js';
export { PeriodicDataSource } from './core/periodic.js';
export { DataLogDaemon, type DaemonOptions, type ReloadOutcome } from './runtime/daemon.js';
export type { CloseOutcome } from './runtime/shutdown.js';
export {
  DatalogdError,
  ConfigurationErrors,
  ERROR_CODES,
  RUNTIME_EVENTS,
  type ErrorCode,
  type RuntimeCode,
} from './core/errors.js';
export { Logger, getLogger, setLogLevel, type LogLevel } from './core/log.js';
export { RateLimitedLog } from './core/rate-limit.js';
export { Backoff, sleep, type BackoffOptions } from './core/backoff.js';
export { parseDotJson, listify, MATCH_ANY } from './python/values.js';
export { NullDataSource, NullDataFilter, NullDataSink } from './plugins/null.js';
// The options kit the built-ins declare their schemas with, so that a user plugin's
// options are checked the same way: every mistake reported with file, line, node, option.
export {
  z,
  text,
  textOrNull,
  flag,
  seconds,
  port,
  path,
  envName,
  secret,
  Secret,
  resolveSecret,
  ordered,
  MAX_TIMER_SECONDS,
  type SecondsRange,
} from './plugins/options.js';
