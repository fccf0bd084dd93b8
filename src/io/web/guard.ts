/**
 * Which requests the web server refuses: without its access token when it has one; when it
 * has none and listens on loopback, a Host that is not this machine (a page using DNS
 * rebinding to reach a local server); and for WebSockets, an Origin that is not the page's
 * own (another site's script in the user's browser, which WebSockets do not stop).
 */
import type { IncomingMessage } from 'node:http';
import { isLoopback } from './address.js';
import { presentedToken, tokenMatches } from './token.js';

export interface Guard {
  readonly token: string | undefined;
  /** Whether the server listens on loopback only. */
  readonly loopback: boolean;
}

export interface Refusal {
  readonly status: number;
  readonly text: string;
  /** For the log: "with no valid access token". */
  readonly why: string;
}

export function refusalOf(
  request: IncomingMessage,
  url: URL,
  guard: Guard,
  upgrade: boolean,
): Refusal | undefined {
  if (guard.token !== undefined) {
    if (!tokenMatches(guard.token, presentedToken(request, url)?.value)) {
      return { status: 401, text: 'Unauthorized', why: 'no valid access token' };
    }
  } else if (
    guard.loopback &&
    request.headers.host !== undefined &&
    !isLoopback(hostName(request.headers.host))
  ) {
    return { status: 403, text: 'Forbidden', why: 'a Host header that is not this machine' };
  }
  const origin = request.headers.origin;
  if (upgrade && origin !== undefined && originHost(origin) !== request.headers.host) {
    return { status: 403, text: 'Forbidden', why: 'an Origin that is not the page itself' };
  }
  return undefined;
}

/** The host name of a Host header (`127.0.0.1:45480` -> `127.0.0.1`, `[::1]:80` -> `::1`). */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const colon = header.lastIndexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
