export { SQLiteDataSink } from './sink.js';
