export { ReplayDataSource } from './source.js';
