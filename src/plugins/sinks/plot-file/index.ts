export { MatplotlibDataSink } from './sink.js';
