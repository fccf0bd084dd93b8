/**
 * The access token of a web server bound beyond loopback. A browser gives it once in the
 * address (`?token=...`) and then carries it as a cookie, so that the page's own requests
 * (scripts, the WebSocket) need no token in their URLs; scripts and tools may send it as
 * `Authorization: Bearer ...`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'datalogd_token';
export const TOKEN_PARAMETER = 'token';

/** Where the token came from, so that a token from the address can be turned into a cookie. */
export interface PresentedToken {
  readonly value: string;
  readonly from: 'query' | 'header' | 'cookie';
}

/** The token a request presents, if any: address first, then the header, then the cookie. */
export function presentedToken(request: IncomingMessage, url: URL): PresentedToken | undefined {
  const query = url.searchParams.get(TOKEN_PARAMETER);
  if (query !== null) return { value: query, from: 'query' };
  const header = request.headers.authorization;
  if (header !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer?.[1] !== undefined) return { value: bearer[1], from: 'header' };
  }
  const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  return cookie === undefined ? undefined : { value: cookie, from: 'cookie' };
}

/**
 * Compares in constant time. Both sides are hashed first, so that neither the comparison
 * nor an early length check tells an attacker how much of a guess was right.
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The `Set-Cookie` value that lets a browser's later requests carry the token. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
