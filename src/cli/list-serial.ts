import {
  hexId,
  listSerialPorts,
  type ListOptions,
  type PortListing,
  type SerialPortInfo,
} from '../plugins/sources/serial/ports.js';

/**
 * `datalogd list-serial`: prints every serial port with what a SerialDataSource can select
 * it by, and the node attributes that would select it, so a user can copy them into a graph.
 */
export async function listSerial(
  options: ListOptions & { readonly write?: (text: string) => void } = {},
): Promise<number> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  write(formatPortList(await listSerialPorts(options)));
  return 0;
}

export function formatPortList(listing: PortListing): string {
  const lines: string[] = [];
  if (listing.fallbackReason !== undefined) {
    lines.push(
      `(The system port list is unavailable: ${listing.fallbackReason}. Ports were found in /dev and sysfs.)`,
      '',
    );
  }
  if (listing.ports.length === 0) {
    lines.push('No serial ports found.');
    return lines.join('\n') + '\n';
  }
  for (const port of listing.ports) {
    lines.push(port.path);
    const fields: [string, string | undefined][] = [
      ['manufacturer', port.manufacturer],
      ['product', port.product],
      ['vid', port.vendorId === undefined ? undefined : `0x${hexId(port.vendorId)}`],
      ['pid', port.productId === undefined ? undefined : `0x${hexId(port.productId)}`],
      ['serial number', port.serialNumber],
      ['location', port.location],
      ['options', suggestedOptions(port)],
    ];
    for (const [name, value] of fields) {
      lines.push(`  ${`${name}:`.padEnd(15)}${value ?? '-'}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The attributes that pick this port: by USB identity when it has one, else by path. */
function suggestedOptions(port: SerialPortInfo): string {
  const parts: string[] = [];
  if (port.vendorId !== undefined) parts.push(`vid=0x${hexId(port.vendorId)}`);
  if (port.productId !== undefined) parts.push(`pid=0x${hexId(port.productId)}`);
  if (port.serialNumber !== undefined && port.serialNumber !== '') {
    parts.push(`serial_number="'${port.serialNumber}'"`);
  }
  if (parts.length === 0) parts.push(`port="${port.path}"`);
  return parts.join(', ');
}
