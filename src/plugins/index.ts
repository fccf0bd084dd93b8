import type { PluginClass } from '../core/node.js';
import type { LazyPlugin } from '../core/registry.js';

function lazy(name: string, load: () => Promise<PluginClass>): LazyPlugin {
  return { name, load };
}

/**
 * The explicit list of built-in plugins, by name. A module is imported only when a graph
 * names one of its classes, so adding a built-in costs nothing to graphs that do not use it.
 */
export const BUILTIN_PLUGINS: readonly LazyPlugin[] = [
  lazy('NullDataSource', async () => (await import('./null.js')).NullDataSource),
  lazy(
    'RandomWalkDataSource',
    async () => (await import('./sources/random-walk.js')).RandomWalkDataSource,
  ),
  lazy(
    'HeartbeatDataSource',
    async () => (await import('./sources/heartbeat.js')).HeartbeatDataSource,
  ),
  lazy(
    'SerialDataSource',
    async () => (await import('./sources/serial/index.js')).SerialDataSource,
  ),
  lazy(
    'LibSensorsDataSource',
    async () => (await import('./sources/libsensors/index.js')).LibSensorsDataSource,
  ),
  lazy(
    'ReplayDataSource',
    async () => (await import('./sources/replay/index.js')).ReplayDataSource,
  ),
  lazy('NullDataFilter', async () => (await import('./null.js')).NullDataFilter),
  lazy(
    'TimeStampDataFilter',
    async () => (await import('./filters/timestamp.js')).TimeStampDataFilter,
  ),
  lazy('KeyValDataFilter', async () => (await import('./filters/keyval.js')).KeyValDataFilter),
  lazy('CSVDataFilter', async () => (await import('./filters/csv.js')).CSVDataFilter),
  lazy(
    'AggregatorDataFilter',
    async () => (await import('./filters/aggregator.js')).AggregatorDataFilter,
  ),
  lazy('JoinDataFilter', async () => (await import('./filters/join.js')).JoinDataFilter),
  lazy(
    'PolynomialFunctionDataFilter',
    async () => (await import('./filters/polynomial.js')).PolynomialFunctionDataFilter,
  ),
  lazy(
    'FlowSensorCalibrationDataFilter',
    async () => (await import('./filters/flow-sensor.js')).FlowSensorCalibrationDataFilter,
  ),
  lazy(
    'CoolingPowerDataFilter',
    async () => (await import('./filters/cooling-power.js')).CoolingPowerDataFilter,
  ),
  lazy(
    'SinkTimerDataFilter',
    async () => (await import('./filters/sink-timer.js')).SinkTimerDataFilter,
  ),
  lazy(
    'SensorIdentifierDataFilter',
    async () => (await import('./filters/sensor-identifier/index.js')).SensorIdentifierDataFilter,
  ),
  lazy(
    'SocketDataFilter',
    async () => (await import('./filters/socket/index.js')).SocketDataFilter,
  ),
  lazy('NullDataSink', async () => (await import('./null.js')).NullDataSink),
  lazy('PrintDataSink', async () => (await import('./sinks/print.js')).PrintDataSink),
  lazy('LoggingDataSink', async () => (await import('./sinks/logging.js')).LoggingDataSink),
  lazy('FileDataSink', async () => (await import('./sinks/file.js')).FileDataSink),
  lazy(
    'InfluxDBDataSink',
    async () => (await import('./sinks/influxdb/index.js')).InfluxDBDataSink,
  ),
  lazy(
    'InfluxDB2DataSink',
    async () => (await import('./sinks/influxdb/index.js')).InfluxDB2DataSink,
  ),
  lazy('SQLiteDataSink', async () => (await import('./sinks/sqlite/index.js')).SQLiteDataSink),
  lazy(
    'PostgreSQLDataSink',
    async () => (await import('./sinks/postgresql/index.js')).PostgreSQLDataSink,
  ),
  lazy(
    'LivePlotDataSink',
    async () => (await import('./sinks/live-plot/index.js')).LivePlotDataSink,
  ),
  lazy(
    'PyqtgraphDataSink',
    async () => (await import('./sinks/live-plot/index.js')).PyqtgraphDataSink,
  ),
  lazy(
    'MatplotlibDataSink',
    async () => (await import('./sinks/plot-file/index.js')).MatplotlibDataSink,
  ),
];

/** Every built-in class, imported (for documentation, listings and tests). */
export function loadBuiltinPlugins(): Promise<PluginClass[]> {
  return Promise.all(BUILTIN_PLUGINS.map((plugin) => plugin.load()));
}
