import type { PluginClass } from '../core/node.js';
import { AggregatorDataFilter } from './filters/aggregator.js';
import { CoolingPowerDataFilter } from './filters/cooling-power.js';
import { CSVDataFilter } from './filters/csv.js';
import { FlowSensorCalibrationDataFilter } from './filters/flow-sensor.js';
import { JoinDataFilter } from './filters/join.js';
import { KeyValDataFilter } from './filters/keyval.js';
import { PolynomialFunctionDataFilter } from './filters/polynomial.js';
import { SensorIdentifierDataFilter } from './filters/sensor-identifier/index.js';
import { SinkTimerDataFilter } from './filters/sink-timer.js';
import { SocketDataFilter } from './filters/socket/index.js';
import { TimeStampDataFilter } from './filters/timestamp.js';
import { NullDataFilter, NullDataSink, NullDataSource } from './null.js';
import { FileDataSink } from './sinks/file.js';
import { InfluxDB2DataSink, InfluxDBDataSink } from './sinks/influxdb/index.js';
import { LoggingDataSink } from './sinks/logging.js';
import { PrintDataSink } from './sinks/print.js';
import { HeartbeatDataSource } from './sources/heartbeat.js';
import { LibSensorsDataSource } from './sources/libsensors.js';
import { RandomWalkDataSource } from './sources/random-walk.js';
import { SerialDataSource } from './sources/serial/index.js';

/** The explicit list of built-in plugins; the registry knows nothing else until plugin dirs load. */
export const BUILTIN_PLUGINS: readonly PluginClass[] = [
  NullDataSource,
  RandomWalkDataSource,
  HeartbeatDataSource,
  SerialDataSource,
  LibSensorsDataSource,
  NullDataFilter,
  TimeStampDataFilter,
  KeyValDataFilter,
  CSVDataFilter,
  AggregatorDataFilter,
  JoinDataFilter,
  PolynomialFunctionDataFilter,
  FlowSensorCalibrationDataFilter,
  CoolingPowerDataFilter,
  SinkTimerDataFilter,
  SensorIdentifierDataFilter,
  SocketDataFilter,
  NullDataSink,
  PrintDataSink,
  LoggingDataSink,
  FileDataSink,
  InfluxDBDataSink,
  InfluxDB2DataSink,
];
