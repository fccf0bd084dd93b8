export { PostgreSQLDataSink } from './sink.js';
