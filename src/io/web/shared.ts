/**
 * One web server per address, shared by every user in the process: the first user to
 * acquire an address creates and starts its server, the last to release it closes it.
 */
import type { ReportProblem } from '../../core/node.js';
import { addressKey, type WebAddress } from './address.js';
import { WebServer, type WebServerOptions } from './server.js';

export interface WebLeaseOptions {
  /** The access token this user requires, if any; every user of an address must agree. */
  readonly token?: string;
  /** Where server-wide problems (the port is in use) are counted and logged for this user. */
  readonly report: ReportProblem;
  /** Only for tests: limits of a server this call creates. */
  readonly limits?: Pick<WebServerOptions, 'maxWebSockets' | 'maxConnections' | 'heartbeatMs'>;
}

export interface WebLease {
  readonly server: WebServer;
  /** Gives the server up; the last release closes it. Safe to call more than once. */
  release(): Promise<void>;
}

interface Shared {
  readonly server: WebServer;
  users: number;
}

const servers = new Map<string, Shared>();

/**
 * The server for `address`, created (and told to listen) by the first caller. Throws when
 * this user's token differs from the one the server already has: one server cannot ask
 * two different tokens, and serving one user's page without the other's token would
 * defeat it.
 */
export function acquireWebServer(address: WebAddress, options: WebLeaseOptions): WebLease {
  const key = addressKey(address);
  const token = options.token === '' ? undefined : options.token;
  let shared = servers.get(key);
  if (shared === undefined) {
    const server = new WebServer({
      address,
      ...(token === undefined ? {} : { token }),
      ...options.limits,
    });
    shared = { server, users: 0 };
    servers.set(key, shared);
  } else if (shared.server.token !== token) {
    throw new Error(
      `the web server on ${address.host}:${address.port} is shared with another node that ${
        shared.server.token === undefined ? 'sets no access token' : 'sets a different access token'
      }; give both the same token, or a port of their own`,
    );
  }
  const entry = shared;
  entry.users += 1;
  entry.server.addReporter(options.report);
  let released: Promise<void> | undefined;
  return {
    server: entry.server,
    release: () => {
      released ??= (async () => {
        entry.server.removeReporter(options.report);
        entry.users -= 1;
        if (entry.users > 0) return;
        if (servers.get(key) === entry) servers.delete(key);
        await entry.server.close();
      })();
      return released;
    },
  };
}

/** How many servers are open in this process (for tests and status). */
export function openWebServerCount(): number {
  return servers.size;
}
