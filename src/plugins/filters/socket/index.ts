import type { AddressInfo } from 'node:net';
import { utf8Bytes } from '../../../core/bounded-queue.js';
import type { RuntimeCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { RateLimitedLog } from '../../../core/rate-limit.js';
import { DataFilter, type Data, type PendingOutput } from '../../../core/node.js';
import {
  createDecoder,
  createEncoder,
  createRunDecoder,
  type EncodeResult,
} from '../../../io/codec.js';
import {
  FLOW_COUNTERS,
  STRETCH_COUNTERS,
  type ConnectionContext,
  type SocketCounters,
} from './connection.js';
import { SocketClient } from './client.js';
import { socketOptionsSchema, type SocketOptions } from './options.js';
import { DEFAULT_DELIMITER_BYTE, spelledWithBackslashEscapes } from '../../../io/delimiter.js';
import { processSendBudget } from './send-budget.js';
import { SocketServer } from './server.js';

/** How long close() lets each connection flush before cutting it off. */
const CLOSE_GRACE_MS = 1000;

/** The default delimiter is spelt "\x17" in the docs, and Python's default is the same byte. */
function isDefaultDelimiter(delimiter: Buffer | null): boolean {
  return delimiter?.length === 1 && delimiter[0] === DEFAULT_DELIMITER_BYTE;
}

/** Connection lines let through per window before a summary says how many were held back. */
const CONNECTION_LINES_PER_WINDOW = 20;

/** Connections made and lost, logged at info level, a bounded number of lines per 10 s. */
function connectionLog(log: Logger): { info(message: string): void } {
  const limited = new RateLimitedLog(log, { burst: CONNECTION_LINES_PER_WINDOW, maxKeys: 1 });
  return {
    info: (message) => {
      limited.log('info', 'connections', message);
    },
  };
}

/** Every runtime event a SocketDataFilter reports, shown as 0 from the start. */
const SOCKET_EVENTS: readonly RuntimeCode[] = [
  'DATALOGD_ERR_SOCKET_MAX_CONNECTIONS',
  'DATALOGD_ERR_SOCKET_UNDECODABLE',
  'DATALOGD_ERR_SOCKET_NOT_JSON',
  'DATALOGD_ERR_SOCKET_OVERSIZE',
  'DATALOGD_ERR_SOCKET_UNENCODABLE',
  'DATALOGD_ERR_SOCKET_CONTAINS_DELIMITER',
  'DATALOGD_ERR_SOCKET_QUEUE_FULL',
  'DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL',
  'DATALOGD_ERR_SOCKET_NO_CONNECTION',
  'DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE',
  'DATALOGD_ERR_SOCKET_BIND',
  'DATALOGD_ERR_SOCKET_CONNECT',
  'DATALOGD_ERR_SOCKET_SEND_BUDGET',
  'DATALOGD_ERR_SOCKET_STALLED',
  'DATALOGD_ERR_SOCKET_LOST_IN_FLIGHT',
];

/**
 * Bridges graphs over TCP: data from upstream is written to every connection, and data
 * arriving on any connection is sent to this node's sinks. Wire-compatible with Python
 * datalogd's SocketDataFilter in both roles; see docs/socket.md.
 */
export class SocketDataFilter extends DataFilter {
  static readonly description =
    'Bridges graphs over TCP, as a server for many clients or a client that reconnects forever; JSON messages ended by 0x17, wire-compatible with Python datalogd.';
  static readonly optionsSchema = socketOptionsSchema;

  readonly #options: SocketOptions;
  readonly #encode: (data: unknown) => EncodeResult;
  readonly #counters: SocketCounters;
  #endpoint: SocketServer | SocketClient | undefined;

  constructor(options: SocketOptions) {
    super();
    this.counters(...FLOW_COUNTERS);
    this.declareEvents(...SOCKET_EVENTS);
    // The same record, typed with the event counters that are also counted directly.
    this.#counters = this.counters(...FLOW_COUNTERS, ...STRETCH_COUNTERS);
    this.#options = options;
    this.#encode = createEncoder({
      encoding: options.message_encoding,
      structure: options.structure_type,
      delimiter: options.message_delimiter,
    });
  }

  /** The listening address of a server (after start), for callers that asked for port 0. */
  get address(): AddressInfo | undefined {
    return this.#endpoint instanceof SocketServer ? this.#endpoint.address : undefined;
  }

  override start(): void {
    if (this.#endpoint !== undefined) return;
    const o = this.#options;
    const context: ConnectionContext = {
      delimiter: o.message_delimiter,
      maxMessageBytes: o.buffer_size,
      sendBufferBytes: o.send_buffer_size,
      budget: processSendBudget,
      stallTimeoutMs: o.stall_timeout * 1000,
      encodingName: o.message_encoding,
      decode: createDecoder({ encoding: o.message_encoding, structure: o.structure_type }),
      decodeRun: createRunDecoder({
        encoding: o.message_encoding,
        structure: o.structure_type,
        delimiter: o.message_delimiter,
      }),
      counters: this.#counters,
      log: this.log,
      connectionLog: connectionLog(this.log),
      report: this.reporter,
      deliver: (data) => {
        this.send(data);
      },
      health: (ok, detail) => {
        this.setHealth(ok, detail);
      },
    };
    processSendBudget.request(this, o.send_budget_bytes);
    if (
      spelledWithBackslashEscapes(o.message_delimiter) &&
      !isDefaultDelimiter(o.message_delimiter)
    ) {
      this.log.info(
        `message_delimiter ${JSON.stringify(o.message_delimiter?.toString('utf8'))} was written with backslash escapes, which this project reads as escapes and Python datalogd sends as the characters written; if a Python peer must agree, write it as a quoted JSON string, e.g. message_delimiter="'\\n'" (see docs/socket.md)`,
      );
    }
    const retry = {
      retryMinMs: o.reconnect_min * 1000,
      retryMaxMs: o.reconnect_max * 1000,
      closeGraceMs: CLOSE_GRACE_MS,
    };
    this.#endpoint =
      o.role === 'server'
        ? new SocketServer(
            { host: o.host, port: o.port, maxConnections: o.max_connections, ...retry },
            context,
          )
        : new SocketClient(
            {
              host: o.host,
              port: o.port,
              queueFrames: o.queue_size,
              queueBytes: o.queue_bytes,
              ...retry,
            },
            context,
          );
    this.#endpoint.start();
  }

  override receive(data: Data): undefined {
    const result = this.#encode(data);
    switch (result.kind) {
      case 'ok':
        if (this.#endpoint === undefined) {
          this.report('DATALOGD_ERR_SOCKET_NO_CONNECTION', 'Not started yet; message not sent');
        } else {
          // The one measurement of the frame's size: queues and send buffers count bytes.
          this.#endpoint.send(result.frame, utf8Bytes(result.frame));
        }
        return undefined;
      case 'skip':
        return undefined;
      case 'unencodable':
        this.report(
          'DATALOGD_ERR_SOCKET_UNENCODABLE',
          `Failed to encode data: ${result.reason}; message dropped`,
        );
        return undefined;
      case 'contains-delimiter':
        this.report(
          'DATALOGD_ERR_SOCKET_CONTAINS_DELIMITER',
          'The encoded message contains the message delimiter and would break the framing; message dropped',
        );
        return undefined;
    }
  }

  /** What is held now: open connections, bytes not yet sent, and (client) the queue. */
  protected override gauges(): Record<string, number> {
    const endpoint = this.#endpoint;
    const gauges: Record<string, number> = {
      connections: endpoint?.connectionCount ?? 0,
      unsent_bytes: endpoint?.unsentBytes ?? 0,
      send_budget_held: processSendBudget.held,
    };
    if (this.#options.role === 'client') {
      const queued = endpoint instanceof SocketClient ? endpoint.queued : undefined;
      gauges.queued_messages = queued?.messages ?? 0;
      gauges.queued_bytes = queued?.bytes ?? 0;
    }
    return gauges;
  }

  override pendingOutput(): PendingOutput {
    const endpoint = this.#endpoint;
    const queued = endpoint instanceof SocketClient ? endpoint.queued : undefined;
    return {
      ...(queued === undefined ? {} : { records: queued.messages }),
      bytes: (endpoint?.unsentBytes ?? 0) + (queued?.bytes ?? 0),
    };
  }

  protected override async onClose(): Promise<void> {
    const endpoint = this.#endpoint;
    if (endpoint === undefined) return;
    await endpoint.close();
    processSendBudget.withdraw(this);
  }
}
