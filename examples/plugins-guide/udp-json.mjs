/**
 * The JavaScript example of docs/plugins-guide.md: a sink that sends each record as one
 * JSON datagram over UDP. It shows an options schema, a socket opened in `start()` and
 * closed in `onClose()` after what is in flight, a bound on what it holds, and every record
 * it cannot send counted and logged through `report()`.
 */
import { createSocket } from 'node:dgram';
import { DataSink, listify, port, text, z } from 'datalogd';

const schema = z.object({
  host: text('127.0.0.1').describe('Where the datagrams go.'),
  port: port(9999).describe('The UDP port they go to.'),
  max_datagram: z
    .number()
    .int()
    .min(1)
    .max(65507)
    .default(1400)
    .describe('Largest datagram, in bytes; a larger record is dropped and counted.'),
  max_in_flight: z
    .number()
    .int()
    .min(1)
    .default(64)
    .describe('Datagrams handed to the system and not sent yet; beyond that, records are dropped.'),
});

const DROPPED = 'DATALOGD_ERR_PLUGIN_DROPPED';

export class UdpJsonDataSink extends DataSink {
  static description = 'Sends each record as a JSON datagram to host:port over UDP.';
  static optionsSchema = schema;

  #options;
  #socket;
  #inFlight = 0;
  #drained;
  #counts = this.counters('messages_out', 'bytes_out');

  constructor(options = schema.parse({})) {
    super();
    this.#options = options;
    // Show `dropped` as 0 from the start, so a dashboard sees the counter before any loss.
    this.declareEvents(DROPPED);
  }

  start() {
    this.#socket = createSocket('udp4');
    this.#socket.on('error', (err) => {
      this.report(DROPPED, `the socket failed: ${err.message}`, { key: 'socket' });
    });
  }

  receive(data) {
    for (const record of listify(data)) this.#send(record);
  }

  #send(record) {
    const { host, port, max_datagram, max_in_flight } = this.#options;
    if (this.#socket === undefined) {
      this.report(DROPPED, 'a record arrived before start() or after close()', { key: 'closed' });
      return;
    }
    const bytes = Buffer.from(JSON.stringify(record) ?? 'null', 'utf8');
    if (bytes.length > max_datagram) {
      this.report(DROPPED, `a ${bytes.length}-byte record exceeds max_datagram=${max_datagram}`, {
        key: 'too large',
      });
      return;
    }
    if (this.#inFlight >= max_in_flight) {
      this.report(DROPPED, `${max_in_flight} datagrams are still waiting to be sent`, {
        key: 'busy',
      });
      return;
    }
    this.#inFlight += 1;
    this.#socket.send(bytes, port, host, (err) => {
      this.#inFlight -= 1;
      if (err) {
        this.report(DROPPED, `sending to ${host}:${port} failed: ${err.message}`, { key: 'send' });
      } else {
        this.#counts.messages_out += 1;
        this.#counts.bytes_out += bytes.length;
      }
      if (this.#inFlight === 0) this.#drained?.();
    });
  }

  // Values that go up and down belong here; stats() adds them to the counters.
  gauges() {
    return { in_flight: this.#inFlight };
  }

  // close() calls this once. Datagrams already handed over are sent before the socket
  // closes; the daemon's close deadline bounds the wait.
  async onClose() {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    if (this.#inFlight > 0) {
      await new Promise((resolve) => {
        this.#drained = resolve;
      });
    }
    await new Promise((resolve) => {
      socket.close(resolve);
    });
  }
}
