export { InfluxDBDataSink, type InfluxDBOptions } from './influxdb-sink.js';
export { InfluxDB2DataSink, type InfluxDB2Options } from './influxdb2-sink.js';
