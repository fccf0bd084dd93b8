import assert from 'node:assert/strict';
import { connect, Server, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, test } from 'node:test';
import { setLogWriter, type LogWriter } from '../../../../../src/core/log.js';
import { DataSink, type Data } from '../../../../../src/core/node.js';
import { SocketDataFilter } from '../../../../../src/plugins/filters/socket/index.js';
import { socketOptionsSchema } from '../../../../../src/plugins/filters/socket/options.js';

let lines: string[];
let previous: LogWriter;
beforeEach(() => {
  lines = [];
  previous = setLogWriter((l) => lines.push(l));
});
afterEach(() => setLogWriter(previous));

class Collect extends DataSink {
  readonly got: Data[] = [];
  override receive(data: Data): void {
    this.got.push(data);
  }
}

function filter(options: Record<string, unknown>): SocketDataFilter {
  return new SocketDataFilter(socketOptionsSchema.parse(options));
}

function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((i) => i.internal && i.family === 'IPv6'),
  );
}

/** Sockets and servers still open in this process (stdio pipes excluded). */
function openNetHandles(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter(
      (h) =>
        (h instanceof Socket && !h.destroyed && h.remotePort !== undefined) ||
        (h instanceof Server && h.listening),
    )
    .map((h) => (h as object).constructor.name);
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('options keep Python names and defaults, and accept Python spellings', () => {
  const o = socketOptionsSchema.parse({});
  assert.equal(o.role, 'server');
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 45454);
  assert.equal(o.buffer_size, 1_048_576);
  assert.equal(o.structure_type, 'json');
  assert.deepEqual([...(o.message_delimiter ?? [])], [0x17]);
  const p = socketOptionsSchema.parse({
    port: '5000',
    structure_type: null,
    message_delimiter: null,
  });
  assert.equal(p.port, 5000);
  assert.equal(p.structure_type, 'none');
  assert.equal(p.message_delimiter, null);
  assert.equal(socketOptionsSchema.safeParse({ role: 'peer' }).success, false);
  assert.equal(socketOptionsSchema.safeParse({ message_encoding: 'klingon' }).success, false);
  assert.equal(socketOptionsSchema.safeParse({ port: 70000 }).success, false);
});

test('reconnect_max below reconnect_min is refused', () => {
  assert.throws(() => filter({ reconnect_min: 2, reconnect_max: 1 }), /reconnect_max/);
});

test('a server and a client in one process exchange data both ways and close cleanly', async () => {
  const server = filter({ port: 0 });
  const fromClient = new Collect();
  server.connectSinks(fromClient);
  server.start();
  await until(() => server.address !== undefined, 'server listening');
  const client = filter({
    role: 'client',
    port: server.address?.port,
    reconnect_min: 0.01,
    reconnect_max: 0.05,
  });
  const fromServer = new Collect();
  client.connectSinks(fromServer);
  client.receive([{ queued: 'before start' }]);
  client.start();
  client.receive([{ id: 'c', value: 1, when: new Date('2024-05-09T01:02:03.004Z') }]);
  await until(() => fromClient.got.length === 1, 'server receiving');
  assert.deepEqual(fromClient.got, [[{ id: 'c', value: 1, when: '2024-05-09T01:02:03.004Z' }]]);
  await until(() => server.stats().connections_opened === 1, 'connection');
  server.receive({ id: 's', value: NaN });
  await until(() => fromServer.got.length === 1, 'client receiving');
  assert.deepEqual(fromServer.got, [{ id: 's', value: null }]);
  await Promise.all([client.close(), server.close()]);
  const clientStats = client.stats();
  assert.equal(
    clientStats.dropped_no_connection,
    1,
    'data before start() is counted, not lost silently',
  );
  assert.equal(clientStats.messages_out, 1);
  assert.deepEqual(openNetHandles(), [], 'no socket or server is left open after close()');
});

test('close() right after start(), before the bind completes, leaves nothing open', async () => {
  const node = filter({ port: 0 });
  node.start();
  await node.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(openNetHandles(), []);
});

test('host "" listens on every interface, IPv4 and IPv6', async () => {
  const node = filter({ host: '', port: 0 });
  const got = new Collect();
  node.connectSinks(got);
  node.start();
  await until(() => node.address !== undefined, 'listening');
  const port = node.address?.port as number;
  const hosts = ['127.0.0.1', ...(hasIpv6Loopback() ? ['::1'] : [])];
  for (const host of hosts) {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.end(`{"via": "${host}"}\x17`);
        resolve();
      });
      socket.once('error', reject);
    });
  }
  await until(() => got.got.length === hosts.length, 'a message over each family');
  assert.deepEqual(got.got.map((d) => (d as { via: string }).via).sort(), [...hosts].sort());
  await node.close();
});

test('a failed bind is logged with its reason and retried until the port is free', async () => {
  const holder = filter({ port: 0 });
  holder.start();
  await until(() => holder.address !== undefined, 'holder listening');
  const port = holder.address?.port;
  const second = filter({ port, reconnect_min: 0.02, reconnect_max: 0.05 });
  second.nodeName = 'second';
  second.start();
  await until(
    () => lines.some((l) => l.includes('[second] Unable to start server')),
    'bind failure logged',
  );
  assert.ok(
    lines.some((l) =>
      /ERROR \[second\] Unable to start server on 127\.0\.0\.1:\d+: the port is already in use/.test(
        l,
      ),
    ),
  );
  await holder.close();
  await until(() => second.address?.port === port, 'second binds once the port is free');
  await second.close();
});

test('data that JSON cannot encode, or that contains the delimiter, is dropped and counted', async () => {
  const node = filter({ port: 0, structure_type: 'none', message_delimiter: '\\n' });
  node.start();
  node.receive('has a \n newline');
  node.receive({ not: 'a string in none mode' });
  node.receive(undefined);
  node.receive([]);
  const stats = node.stats();
  assert.equal(stats.dropped_contains_delimiter, 1);
  assert.equal(stats.dropped_unencodable, 1);
  await node.close();
  const json = filter({ port: 0 });
  json.start();
  json.receive({ big: 2n ** 64n });
  assert.equal(json.stats().dropped_unencodable, 1);
  await json.close();
});
