import { errorMessage } from '../../../core/errors.js';
import { DEFAULT_DELIMITER_TEXT, interpretDelimiter } from '../../../io/delimiter.js';
import { lookupEncoding } from '../../../io/encodings.js';
import { ordered, port, seconds, z } from '../../options.js';
import { DEFAULT_SEND_BUDGET_BYTES } from './send-budget.js';

const encodingSchema = z
  .string()
  .superRefine((name, ctx) => {
    try {
      lookupEncoding(name);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    }
  })
  .default('utf8')
  .describe('Text encoding of messages, by its Python name (utf8, latin-1, utf-16, ascii, ...).');

/** `structure_type`: Python accepts "json", "none" and None; anything else is refused here. */
const structureSchema = z
  .union([z.enum(['json', 'none', 'None']), z.null()])
  .transform((value) => (value === 'json' ? 'json' : 'none'))
  .default('json')
  .describe('"json": messages are JSON text; "none" (or None): messages are text, or raw bytes.');

/**
 * `message_delimiter`: any decoded attribute value in, `Buffer | null` out (see
 * `parseDelimiter` for the spellings), with a readable issue when the value cannot be a
 * delimiter. Absent means the default byte.
 */
export const messageDelimiterSchema = z
  .unknown()
  .transform((value, ctx): Buffer | null => {
    const result = interpretDelimiter(value);
    if (typeof result !== 'string') return result;
    ctx.issues.push({ code: 'custom', message: result, input: value });
    return z.NEVER;
  })
  // prefault, unlike default, runs the transform on the default, and makes the key optional.
  .prefault(DEFAULT_DELIMITER_TEXT)
  .describe(
    'Bytes that end each message: an escaped string ("\\x17", "\\r\\n"), a list of byte ' +
      'values ([13, 10]), or None for one message per connection. Default 0x17.',
  );

export const socketOptionsSchema = z
  .object({
    role: z
      .enum(['server', 'client'])
      .default('server')
      .describe('"server" listens for many clients; "client" keeps one connection to a server.'),
    host: z
      .string()
      .default('127.0.0.1')
      .describe(
        'Address to bind (server) or connect to (client). "" binds every interface, IPv4 and IPv6.',
      ),
    port: port(45454).describe(
      'TCP port to listen on (server) or connect to (client); 0 lets the OS choose (server).',
    ),
    buffer_size: z
      .number()
      .int()
      .min(1)
      .max(1 << 30)
      .default(1_048_576)
      .describe(
        'Largest message in bytes, excluding the delimiter; longer ones are discarded whole.',
      ),
    message_encoding: encodingSchema,
    message_delimiter: messageDelimiterSchema,
    structure_type: structureSchema,
    queue_size: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe(
        'Client: messages kept, oldest dropped first, while disconnected; 0 drops like Python.',
      ),
    queue_bytes: z
      .number()
      .int()
      .min(0)
      .default(64 * 1024 * 1024)
      .describe(
        'Client: bytes kept while disconnected (as sent: UTF-8 or the encoding, delimiters included), so a queue of large messages stays bounded.',
      ),
    send_buffer_size: z
      .number()
      .int()
      .min(1)
      .default(8 * 1024 * 1024)
      .describe(
        'Bytes (as sent) accepted for one connection but not yet handed to the OS; past it messages are dropped for that peer only.',
      ),
    send_budget_bytes: z
      .number()
      .int()
      .min(1)
      .default(DEFAULT_SEND_BUDGET_BYTES)
      .describe(
        'Bytes (as sent) waiting to be sent over every socket connection of the process together (64 MiB); past it the slowest peers are dropped from first. The smallest value any node sets applies.',
      ),
    stall_timeout: seconds(30).describe(
      'Seconds a peer may take no bytes while some wait for it before it is disconnected.',
    ),
    max_connections: z
      .number()
      .int()
      .min(1)
      .default(1024)
      .describe('Server: connections accepted at once; more are closed with a warning.'),
    reconnect_min: seconds(0.1).describe(
      'Shortest wait before retrying a connection or a bind, in seconds.',
    ),
    reconnect_max: seconds(5).describe(
      'Longest wait before retrying a connection or a bind, in seconds.',
    ),
  })
  .superRefine(ordered('reconnect_min', 'reconnect_max'));

export type SocketOptions = z.output<typeof socketOptionsSchema>;
