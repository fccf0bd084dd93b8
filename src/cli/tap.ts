/**
 * `datalogd tap NODE`: prints what a node of the running daemon sends, one JSON record per
 * line on stdout, read from `/tap/NODE` (Server-Sent Events). What a slow terminal made
 * the daemon drop for this watcher is said on stderr, where the gap is.
 */
import { errorMessage } from '../core/errors.js';
import { daemonEndpoint, readBody, request, type EndpointOptions } from './daemon-endpoint.js';

export interface TapOptions extends EndpointOptions {
  /** Stop after this many records. */
  readonly count?: number;
}

interface ServerEvent {
  readonly event: string;
  readonly data: string;
}

/** Runs the tap until the daemon ends it (or `count` records); returns the exit status. */
export async function tapCommand(node: string, options: TapOptions): Promise<number> {
  let response;
  let url = '';
  try {
    const endpoint = await daemonEndpoint(options);
    url = endpoint.url(`/tap/${encodeURIComponent(node)}`);
    response = await request(endpoint, `/tap/${encodeURIComponent(node)}`, 'text/event-stream');
  } catch (err) {
    process.stderr.write(
      `datalogd tap: cannot reach the daemon${url === '' ? '' : ` at ${url}`}: ${errorMessage(err)}\n`,
    );
    return 1;
  }
  if (response.statusCode !== 200) {
    const body = await readBody(response);
    process.stderr.write(`datalogd tap: ${url} answered ${response.statusCode}: ${body.trim()}\n`);
    return 1;
  }
  const stdout = process.stdout;
  let printed = 0;
  const state = { done: false };
  stdout.on('error', () => {
    // A reader that went away (`| head`) ends the tap quietly.
    state.done = true;
    response.destroy();
  });
  const print = (line: string): void => {
    if (state.done) return;
    printed += 1;
    if (!stdout.write(`${line}\n`)) {
      // Let TCP push back: the daemon's bounded queue for this watcher takes the rest.
      response.pause();
      stdout.once('drain', () => response.resume());
    }
    if (options.count !== undefined && printed >= options.count) {
      state.done = true;
      response.destroy();
    }
  };
  const onEvent = (message: ServerEvent): void => {
    if (message.event === 'tap') {
      const info = JSON.parse(message.data) as { node: string; class: string };
      process.stderr.write(`Tapping ${info.node} (${info.class}) at ${url}; Ctrl-C stops.\n`);
    } else if (message.event === 'missed') {
      const { missed } = JSON.parse(message.data) as { missed: number };
      process.stderr.write(
        `datalogd tap: this watcher read too slowly; the daemon dropped messages for it (${missed} so far)\n`,
      );
    } else {
      const sent = JSON.parse(message.data) as unknown;
      if (Array.isArray(sent)) for (const record of sent) print(JSON.stringify(record));
      else print(message.data);
    }
  };
  const parser = new EventStreamParser(onEvent);
  response.setEncoding('utf8');
  try {
    for await (const chunk of response) {
      parser.push(chunk as string);
      if (state.done) break;
    }
  } catch (err) {
    if (!state.done) {
      process.stderr.write(`datalogd tap: the connection failed: ${errorMessage(err)}\n`);
      return 1;
    }
  }
  if (state.done) return 0;
  process.stderr.write(
    'datalogd tap: the daemon ended the tap (it stopped, or the node went away).\n',
  );
  return 1;
}

/** Splits a Server-Sent Events stream into events (blank-line separated, `event:` and `data:`). */
export class EventStreamParser {
  readonly #onEvent: (event: ServerEvent) => void;
  #buffer = '';

  constructor(onEvent: (event: ServerEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(text: string): void {
    this.#buffer += text;
    let end = this.#buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.#dispatch(block);
      end = this.#buffer.indexOf('\n\n');
    }
  }

  #dispatch(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) this.#onEvent({ event, data: data.join('\n') });
  }
}
