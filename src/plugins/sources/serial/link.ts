import type { SerialPort } from 'serialport';
import { errorMessage } from '../../../core/errors.js';
import type { ReportProblem } from '../../../core/node.js';
import { LineFramer } from '../../../io/lines.js';

/** The baud rate of the board protocol. */
export const BOARD_BAUD_RATE = 115200;

export interface LineHandlers {
  readonly onLine: (text: string) => void;
  readonly onOversize: (droppedBytes: number) => void;
}

const IGNORE_LINES: LineHandlers = { onLine: () => undefined, onOversize: () => undefined };

/** Lines kept while nobody listens (between the probe and the reader); more are reported and dropped. */
export const HELD_LINES_LIMIT = 1024;

/**
 * An open serial port delivering lines. Until line handlers are set, and after `hold()`,
 * lines are kept (up to HELD_LINES_LIMIT) and delivered when handlers are set, so that the
 * hand-over from the probe to the reader loses no line, even when one read brings many.
 * `closed` resolves once, with the reason when the port went away by itself (unplugged, pty
 * closed) or undefined when `close()` was called.
 */
export class SerialLink {
  readonly path: string;
  readonly closed: Promise<string | undefined>;
  readonly #port: SerialPort;
  readonly #splitter: LineFramer;
  readonly #report: ReportProblem;
  #handlers: LineHandlers | undefined;
  /** A line, or the size of a line too long to keep. */
  #held: (string | number)[] = [];
  #closing = false;
  #lastError: string | undefined;

  private constructor(port: SerialPort, report: ReportProblem) {
    this.path = port.path;
    this.#port = port;
    this.#report = report;
    this.#splitter = new LineFramer({
      onLine: (text) => {
        this.#deliver(text);
      },
      onOversize: (bytes) => {
        this.#deliver(bytes);
      },
    });
    this.closed = new Promise((resolve) => {
      port.once('close', (err: Error | null | undefined) => {
        this.#splitter.reset();
        if (this.#closing) resolve(undefined);
        else resolve(err ? errorMessage(err) : (this.#lastError ?? 'the port closed'));
      });
    });
    // A disconnect is reported through 'close'; 'error' only keeps the detail for it.
    port.on('error', (err: Error) => {
      this.#lastError = errorMessage(err);
    });
    port.on('data', (chunk: Buffer) => {
      this.#splitter.push(chunk);
    });
  }

  /**
   * Opens `path` at `baudRate`; rejects when the device is missing, busy or not a tty.
   * `report` is the owning node's runtime-problem path, for lines it cannot hold.
   */
  static async open(
    path: string,
    report: ReportProblem,
    baudRate: number = BOARD_BAUD_RATE,
  ): Promise<SerialLink> {
    // Loaded on first use: the native binding costs start-up time and memory to every
    // graph, and most graphs have no serial source.
    const { SerialPort } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => {
        if (err) reject(err);
        else resolve(new SerialLink(port, report));
      });
    });
  }

  /** Delivers the lines held so far, in order, then every new line, to `handlers`. */
  setHandlers(handlers: LineHandlers): void {
    this.#handlers = handlers;
    // A handler may hand over (call hold or setHandlers) part way through.
    while (this.#held.length > 0 && this.#handlers === handlers) {
      this.#call(handlers, this.#held.shift() as string | number);
    }
  }

  /** Keeps the lines that arrive from now on until handlers are set again. */
  hold(): void {
    this.#handlers = undefined;
  }

  /** Closes the port; resolves when it is closed. Safe to call on a port already gone. */
  close(): Promise<void> {
    this.#closing = true;
    this.#handlers = IGNORE_LINES;
    this.#held = [];
    if (!this.#port.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.#port.close(() => {
        resolve();
      });
    });
  }

  #deliver(item: string | number): void {
    const handlers = this.#handlers;
    if (handlers !== undefined) {
      this.#call(handlers, item);
    } else if (this.#held.length < HELD_LINES_LIMIT) {
      this.#held.push(item);
    } else {
      this.#report(
        'DATALOGD_ERR_SERIAL_HELD_OVERFLOW',
        `${this.path}: more than ${HELD_LINES_LIMIT} lines came before the reader took over; dropped one`,
      );
    }
  }

  #call(handlers: LineHandlers, item: string | number): void {
    if (typeof item === 'string') handlers.onLine(item);
    else handlers.onOversize(item);
  }
}
