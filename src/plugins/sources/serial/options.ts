import { compilePythonRegex } from '../../../python/regex.js';
import { ordered, seconds, textOrNull, z } from '../../options.js';
import { parseHexId } from './ports.js';
import { isDevicePath } from './select.js';

const usbId = z
  .union([
    z.number().int().min(0).max(0xffff),
    z.string().regex(/^(0x)?[0-9a-f]{1,4}$/i, 'must be a USB id such as 0x2341 or 9025'),
  ])
  .nullable()
  .default(null)
  .transform((v) => (v === null || typeof v === 'number' ? v : (parseHexId(v) ?? null)));

// DOT decodes digits to a number; serial numbers and board ids are compared as text.
const pattern = (anchored: boolean) =>
  textOrNull().refine(
    (v) =>
      v === null ||
      compilePythonRegex(v, anchored ? { mode: 'match' } : { mode: 'search', ignoreCase: true }) !==
        undefined,
    'is not a valid regular expression',
  );

export const serialOptionsSchema = z
  .object({
    port: textOrNull()
      .refine((v) => v !== '', 'must not be empty')
      .refine(
        (v) =>
          v === null ||
          isDevicePath(v) ||
          compilePythonRegex(v, { mode: 'search', ignoreCase: true }) !== undefined,
        'is neither a device path nor a valid regular expression',
      )
      .describe(
        'A device path (/dev/ttyACM0, COM3), opened as it is, or a pattern searched for in each listed port\'s path, manufacturer, product and "USB VID:PID=2341:0043 SER=... LOCATION=..." text. null: choose by the options below.',
      ),
    board_id: textOrNull().describe(
      'Accept only a board whose "board" field is this text (the sketch\'s BOARD_ID_STRING). null: any board.',
    ),
    vid: usbId.describe('Only ports with this USB vendor id: 0x2341 (hex) or 9025 (decimal).'),
    pid: usbId.describe('Only ports with this USB product id: 0x0043 (hex) or 67 (decimal).'),
    serial_number: pattern(true).describe(
      'Only ports whose USB serial number matches this pattern from its start. Quote long digit strings: serial_number="\'85735313233351F0\'".',
    ),
    location: pattern(true).describe(
      'Only ports whose USB location (1-1.2, or 1-1.2:1.0) matches this pattern from its start.',
    ),
    probe_timeout: seconds(2).describe(
      'Seconds to wait for each line while asking a port whether a board is on it.',
    ),
    reconnect_min: seconds(0.5).describe(
      'Seconds before the first retry after a failed search or a lost board.',
    ),
    reconnect_max: seconds(5).describe(
      'Longest wait in seconds between retries; waits double from reconnect_min up to it, with jitter.',
    ),
  })
  .superRefine(ordered('reconnect_min', 'reconnect_max'));

export type SerialOptions = z.output<typeof serialOptionsSchema>;
