import type { AddressInfo } from 'node:net';
import { DatalogdError } from '../../../core/errors.js';
import { DataFilter, type Data } from '../../../core/node.js';
import { RateLimitedLog } from '../../../core/rate-limit.js';
import {
  createDecoder,
  createEncoder,
  createRunDecoder,
  type EncodeResult,
} from '../../../io/codec.js';
import type { ConnectionContext } from './connection.js';
import { newCounters, type SocketCounters } from './counters.js';
import { SocketClient } from './client.js';
import { socketOptionsSchema, type SocketOptions } from './options.js';
import { SocketServer } from './server.js';

/** How long close() lets each connection flush before cutting it off. */
const CLOSE_GRACE_MS = 1000;

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
  readonly #counters: SocketCounters = newCounters();
  #warningLog: RateLimitedLog | undefined;
  #endpoint: SocketServer | SocketClient | undefined;

  constructor(options: SocketOptions) {
    super();
    if (options.reconnect_max < options.reconnect_min) {
      throw new DatalogdError(
        'DATALOGD_ERR_OPTION_TYPE',
        `reconnect_max (${options.reconnect_max}) must not be less than reconnect_min (${options.reconnect_min})`,
        { option: 'reconnect_max' },
      );
    }
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
      encodingName: o.message_encoding,
      decode: createDecoder({ encoding: o.message_encoding, structure: o.structure_type }),
      decodeRun: createRunDecoder({
        encoding: o.message_encoding,
        structure: o.structure_type,
        delimiter: o.message_delimiter,
      }),
      counters: this.#counters,
      log: this.log,
      warnings: this.#warnings(),
      deliver: (data) => {
        this.send(data);
      },
    };
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
        if (this.#endpoint === undefined) this.#counters.dropped_no_connection += 1;
        else this.#endpoint.send(result.frame);
        return undefined;
      case 'skip':
        return undefined;
      case 'unencodable':
        this.#counters.dropped_unencodable += 1;
        this.#warn('unencodable', `Failed to encode data: ${result.reason}; message dropped`);
        return undefined;
      case 'contains-delimiter':
        this.#counters.dropped_contains_delimiter += 1;
        this.#warn(
          'contains delimiter',
          'The encoded message contains the message delimiter and would break the framing; message dropped',
        );
        return undefined;
    }
  }

  override stats(): Record<string, number> {
    return { ...super.stats(), ...this.#counters };
  }

  protected override async onClose(): Promise<void> {
    const endpoint = this.#endpoint;
    if (endpoint === undefined) return;
    await endpoint.close();
  }

  #warnings(): RateLimitedLog {
    this.#warningLog ??= new RateLimitedLog(this.log);
    return this.#warningLog;
  }

  #warn(key: string, message: string): void {
    const dropped = this.#counters.dropped_unencodable + this.#counters.dropped_contains_delimiter;
    this.#warnings().warning(key, `${message} (${dropped} unsendable so far).`);
  }
}
