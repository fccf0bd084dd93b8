import type { PluginClass } from '../core/node.js';
import { CSVDataFilter } from './filters/csv.js';
import { KeyValDataFilter } from './filters/keyval.js';
import { SocketDataFilter } from './filters/socket/index.js';
import { TimeStampDataFilter } from './filters/timestamp.js';
import { NullDataFilter, NullDataSink, NullDataSource } from './null.js';
import { FileDataSink } from './sinks/file.js';
import { LoggingDataSink } from './sinks/logging.js';
import { PrintDataSink } from './sinks/print.js';
import { HeartbeatDataSource } from './sources/heartbeat.js';
import { RandomWalkDataSource } from './sources/random-walk.js';

/** The explicit list of built-in plugins; the registry knows nothing else until plugin dirs load. */
export const BUILTIN_PLUGINS: readonly PluginClass[] = [
  NullDataSource,
  RandomWalkDataSource,
  HeartbeatDataSource,
  NullDataFilter,
  TimeStampDataFilter,
  KeyValDataFilter,
  CSVDataFilter,
  SocketDataFilter,
  NullDataSink,
  PrintDataSink,
  LoggingDataSink,
  FileDataSink,
];
