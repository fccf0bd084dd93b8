export { SerialDataSource, type SerialSourceHooks } from './source.js';
export { serialOptionsSchema, type SerialOptions } from './options.js';
export {
  listSerialPorts,
  hardwareId,
  hexId,
  type SerialPortInfo,
  type PortListing,
  type ListOptions,
} from './ports.js';
export { selectPorts, isDevicePath, type PortCriteria } from './select.js';
export { parseBoardLine, boardHeader, type BoardLine, type BoardHeader } from './protocol.js';
