/**
 * A Server-Sent Events response seen as the message socket a `ClientQueue` feeds: what it
 * has not yet handed to the operating system is its buffer, and a write's callback is the
 * progress a stalled reader never makes.
 */
import type { ServerResponse } from 'node:http';
import type { MessageSocket } from '../../io/web/client-queue.js';

const OPEN = 1;
const CLOSED = 3;

export class EventStreamSocket implements MessageSocket {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  get bufferedAmount(): number {
    return this.#response.writableLength;
  }

  get readyState(): number {
    const r = this.#response;
    return r.destroyed || r.writableEnded ? CLOSED : OPEN;
  }

  send(data: string, callback: (err?: Error) => void): void {
    this.#response.write(data, (err) => {
      callback(err ?? undefined);
    });
  }

  terminate(): void {
    this.#response.destroy();
  }
}

/** One SSE message: an optional event name and one line of data (JSON has no raw newlines). */
export function sseMessage(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
