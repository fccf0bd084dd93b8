import { Backoff, sleep } from '../../../core/backoff.js';
import { errorMessage } from '../../../core/errors.js';
import { DataSource } from '../../../core/node.js';
import { ChangeLog, type Note } from './change-log.js';
import { SerialLink } from './link.js';
import { serialOptionsSchema, type SerialOptions } from './options.js';
import { listSerialPorts, type ListOptions } from './ports.js';
import { probeLink, quote } from './probe.js';
import { parseBoardLine, type BoardHeader } from './protocol.js';
import { describeCriteria, isDevicePath, selectPorts, type PortCriteria } from './select.js';

/** Test seams; the graph never passes these. */
export interface SerialSourceHooks {
  /** Where the port list comes from when `port` is not a device path. */
  readonly listOptions?: ListOptions;
}

interface FoundBoard {
  readonly link: SerialLink;
  readonly header: BoardHeader;
  readonly line: string;
}

/**
 * Reads an Arduino-style logging board over USB serial (docs/serial-protocol.md): finds the
 * port, probes it for a board, sends on the records of each measurement line, and when the
 * board goes away searches again with backoff, for as long as the daemon runs.
 */
export class SerialDataSource extends DataSource {
  static readonly description =
    'Reads a logging board over USB serial (115200 baud, one JSON line per message; see docs/serial-protocol.md) and sends the records of each measurement, values decoded like DOT attributes. Finds the port by path, pattern or USB ids, probes it for a board, and survives unplugging: it searches again with backoff, logging each change of state once.';
  static readonly optionsSchema = serialOptionsSchema;

  readonly #criteria: PortCriteria;
  readonly #boardId: string | null;
  readonly #probeTimeoutMs: number;
  readonly #backoff: Backoff;
  readonly #reconnectMaxS: number;
  readonly #listOptions: ListOptions;
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;
  #listingNoted = false;
  #closed = false;
  readonly #counts: Record<
    'attempts' | 'connects' | 'lines' | 'measurements' | 'records' | 'ignored_lines',
    number
  >;

  constructor(options: SerialOptions, hooks: SerialSourceHooks = {}) {
    super();
    // Declared in the order the status line has always shown them: attempts connects
    // disconnects refused lines measurements records ignored_lines bad_lines.
    this.counters('attempts', 'connects');
    this.declareEvents('DATALOGD_ERR_SERIAL_LOST', 'DATALOGD_ERR_SERIAL_REFUSED');
    this.#counts = this.counters(
      'attempts',
      'connects',
      'lines',
      'measurements',
      'records',
      'ignored_lines',
    );
    this.declareEvents('DATALOGD_ERR_SERIAL_BAD_LINE', 'DATALOGD_ERR_SERIAL_HELD_OVERFLOW');
    this.#criteria = {
      port: options.port,
      vid: options.vid,
      pid: options.pid,
      serialNumber: options.serial_number,
      location: options.location,
    };
    this.#boardId = options.board_id;
    this.#probeTimeoutMs = options.probe_timeout * 1000;
    this.#reconnectMaxS = options.reconnect_max;
    this.#backoff = new Backoff({
      minMs: options.reconnect_min * 1000,
      maxMs: options.reconnect_max * 1000,
    });
    this.#listOptions = hooks.listOptions ?? {};
  }

  /** Starts searching for the board in the background; an absent board is not an error. */
  override start(): void {
    if (this.#closed || this.#running !== undefined) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.setHealth(false, `searching for a logging board (${describeCriteria(this.#criteria)})`);
    this.#running = this.#run(abort.signal).catch((err: unknown) => {
      // Nothing above should throw; if it does, the source stops but the daemon does not.
      this.log.error(`The serial source stopped: ${errorMessage(err)}`);
    });
  }

  protected override async onClose(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    await this.#running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const changes = new ChangeLog(this.log, {
      report: this.reporter,
      countRepeat: (code) => {
        this.countRepeat(code);
      },
    });
    while (!stopped(signal)) {
      this.#counts.attempts += 1;
      const notes: Note[] = [];
      try {
        await this.#attempt(signal, notes, changes);
      } catch (err) {
        // Not expected (every I/O failure is a note); logged like one, and retried the same.
        notes.push({
          level: 'warning',
          key: 'error',
          message: `Unexpected error: ${errorMessage(err)}`,
        });
        changes.report(notes);
      }
      if (stopped(signal)) return;
      if (!(await sleep(this.#backoff.next(), signal))) return;
    }
  }

  /** One search: finds a board and reads it until it goes away, or reports what it found. */
  async #attempt(signal: AbortSignal, notes: Note[], changes: ChangeLog): Promise<void> {
    const found = await this.#findBoard(signal, notes);
    if (stopped(signal)) {
      await found?.link.close();
      return;
    }
    if (found === undefined) {
      const wanted = `${describeCriteria(this.#criteria)}${this.#boardId === null ? '' : `, board_id=${this.#boardId}`}`;
      this.setHealth(false, `no logging board found (${wanted})`);
      notes.push({
        level: 'warning',
        key: 'none',
        message: `No logging board found (${wanted}); will keep trying, at most every ${this.#reconnectMaxS} s.`,
      });
      changes.report(notes);
      return;
    }
    changes.report(notes);
    changes.forget();
    // Reported (and counted) once: an unexpected error while reading must not repeat them.
    notes.length = 0;
    await this.#readBoard(found, signal);
  }

  async #findBoard(signal: AbortSignal, notes: Note[]): Promise<FoundBoard | undefined> {
    for (const path of await this.#candidates(notes)) {
      if (signal.aborted) return undefined;
      let link: SerialLink;
      try {
        link = await SerialLink.open(path, this.reporter);
      } catch (err) {
        const message = errorMessage(err);
        notes.push({
          level: 'info',
          key: `${path} open ${message}`,
          message: `Cannot open ${path}: ${message.replace(/^Error: /, '').replace(`, cannot open ${path}`, '')}.`,
        });
        continue;
      }
      if (stopped(signal)) {
        await link.close();
        return undefined;
      }
      if (this.log.isEnabled('debug')) this.log.debug(`Probing ${path}.`);
      const outcome = await probeLink(link, this.#probeTimeoutMs, signal);
      if (outcome.kind === 'board') {
        const board = outcome.header.board;
        if (this.#boardId === null || board === this.#boardId) {
          return { link, header: outcome.header, line: outcome.line };
        }
        notes.push({
          code: 'DATALOGD_ERR_SERIAL_REFUSED',
          key: `${path} refused ${board}`,
          message: `Refusing the board on ${path}: its board id is ${quote(board)}, not ${quote(this.#boardId)}.`,
        });
      } else if (outcome.kind === 'not-board') {
        notes.push({
          level: 'info',
          key: `${path} not a board`,
          message: `${path} is not a logging board: it ${outcome.detail}.`,
        });
      } else {
        notes.push({
          level: 'info',
          key: `${path} closed`,
          message: `${path} closed while being probed: ${outcome.detail}.`,
        });
      }
      await link.close();
    }
    return undefined;
  }

  async #candidates(notes: Note[]): Promise<string[]> {
    const port = this.#criteria.port;
    if (port !== null && isDevicePath(port)) return [port];
    const listing = await listSerialPorts(this.#listOptions);
    if (listing.fallbackReason !== undefined && !this.#listingNoted) {
      this.#listingNoted = true;
      this.log.info(
        `The system port list is unavailable (${listing.fallbackReason}); listing ports from /dev and sysfs instead.`,
      );
    }
    const chosen = selectPorts(listing.ports, this.#criteria);
    if (chosen.length === 0) {
      notes.push({
        level: 'info',
        key: 'no match',
        message: `None of the ${listing.ports.length} listed serial port(s) matches ${describeCriteria(this.#criteria)}.`,
      });
    }
    return chosen.map((p) => p.path);
  }

  async #readBoard(found: FoundBoard, signal: AbortSignal): Promise<void> {
    const { link, header } = found;
    this.#counts.connects += 1;
    this.#backoff.succeeded();
    this.setHealth(true);
    this.log.info(`Connected to board ${quote(header.board)} on ${link.path}.`);
    // The line that identified the board is data like any other, and came first.
    this.#onLine(found.line);
    link.setHandlers({
      onLine: (text) => {
        this.#onLine(text);
      },
      onOversize: (bytes) => {
        this.#onBadLine(`a line of ${bytes} bytes, longer than any board sends`, '');
      },
    });
    const onAbort = (): void => {
      void link.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    const reason = await link.closed;
    signal.removeEventListener('abort', onAbort);
    if (reason === undefined || signal.aborted) return;
    this.setHealth(false, `lost board ${quote(header.board)} on ${link.path} (${reason})`);
    this.report(
      'DATALOGD_ERR_SERIAL_LOST',
      `Lost board ${quote(header.board)} on ${link.path} (${reason}); searching again.`,
    );
  }

  #onLine(text: string): void {
    const flow = this.#counts;
    flow.lines += 1;
    const line = parseBoardLine(text);
    switch (line.kind) {
      case 'measurement':
        flow.measurements += 1;
        flow.records += line.records.length;
        this.send(line.records);
        return;
      case 'other':
      case 'empty':
        flow.ignored_lines += 1;
        if (this.log.isEnabled('debug')) this.log.debug(`Ignoring ${quote(text)}.`);
        return;
      case 'invalid':
        this.#onBadLine(line.reason, text);
        return;
    }
  }

  #onBadLine(reason: string, text: string): void {
    this.report(
      'DATALOGD_ERR_SERIAL_BAD_LINE',
      `Ignoring a line that is not board JSON (${reason})${text === '' ? '' : `: ${quote(text)}`}`,
    );
  }
}

/** Read through a call, since the flag changes while awaits are pending. */
function stopped(signal: AbortSignal): boolean {
  return signal.aborted;
}
