import assert from 'node:assert/strict';
import { connect, Server, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { DataSink, type Data } from '../../../../../src/core/node.js';
import { SocketDataFilter } from '../../../../../src/plugins/filters/socket/index.js';
import { socketOptionsSchema } from '../../../../../src/plugins/filters/socket/options.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';
import { freePort } from '../../../../helpers/peers.js';
import { sleep, waitUntil } from '../../../../helpers/wait.js';

const log = captureLogEachTest();

class Collect extends DataSink {
  readonly got: Data[] = [];
  override receive(data: Data): void {
    this.got.push(data);
  }
}

function filter(options: Record<string, unknown>, name?: string): SocketDataFilter {
  const node = new SocketDataFilter(socketOptionsSchema.parse(options));
  if (name !== undefined) node.nodeName = name;
  return node;
}

function until(check: () => boolean, what: string): Promise<void> {
  return waitUntil(check, what, {
    timeoutMs: 5000,
    intervalMs: 10,
    detail: () => log.current.text(),
  });
}

async function listening(node: SocketDataFilter): Promise<number> {
  node.start();
  await until(() => node.address !== undefined, 'server listening');
  return node.address?.port as number;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
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

test('every counter and runtime event shows from the start, before anything happens', () => {
  const stats = filter({ role: 'client' }).stats();
  for (const name of [
    'messages_in',
    'bytes_in',
    'messages_out',
    'bytes_out',
    'connections_opened',
    'connections_refused',
    'undecodable',
    'not_json',
    'dropped_oversize',
    'dropped_empty',
    'dropped_unencodable',
    'dropped_contains_delimiter',
    'dropped_queue_full',
    'dropped_send_buffer_full',
    'dropped_no_connection',
    'dropped_at_close',
    'bind_failures',
    'connect_failures',
    'connections',
    'unsent_bytes',
    'queued_messages',
    'queued_bytes',
  ]) {
    assert.equal(stats[name], 0, name);
  }
});

test('a server and a client in one process exchange data both ways and close cleanly', async () => {
  const server = filter({ port: 0 });
  const fromClient = new Collect();
  server.connectSinks(fromClient);
  const port = await listening(server);
  const client = filter({ role: 'client', port, reconnect_min: 0.01, reconnect_max: 0.05 });
  const fromServer = new Collect();
  client.connectSinks(fromServer);
  client.receive([{ queued: 'before start' }]);
  client.start();
  client.receive([{ id: 'c', value: 1, when: new Date('2024-05-09T01:02:03.004Z') }]);
  await until(() => fromClient.got.length === 1, 'server receiving');
  assert.deepEqual(fromClient.got, [[{ id: 'c', value: 1, when: '2024-05-09T01:02:03.004Z' }]]);
  await until(() => server.stats().connections_opened === 1, 'connection');
  assert.equal(server.stats().connections, 1);
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
  assert.equal(log.current.withCode('DATALOGD_ERR_SOCKET_NO_CONNECTION').length, 1);
  assert.equal(clientStats.messages_out, 1);
  assert.equal(server.stats().messages_in, 1);
  assert.equal(server.stats().bytes_in, clientStats.bytes_out);
  assert.deepEqual(openNetHandles(), [], 'no socket or server is left open after close()');
});

test('close() right after start(), before the bind completes, leaves nothing open', async () => {
  const node = filter({ port: 0 });
  node.start();
  await node.close();
  await sleep(50);
  assert.deepEqual(openNetHandles(), []);
});

test('host "" listens on every interface, IPv4 and IPv6', async () => {
  const node = filter({ host: '', port: 0 });
  const got = new Collect();
  node.connectSinks(got);
  const port = await listening(node);
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

test('a failed bind is reported with its reason and retried until the port is free', async () => {
  const holder = filter({ port: 0 });
  const port = await listening(holder);
  const second = filter({ port, reconnect_min: 0.02, reconnect_max: 0.05 }, 'second');
  second.start();
  await until(() => (second.stats().bind_failures ?? 0) >= 2, 'bind failures counted, retried');
  const reported = log.current.withCode('DATALOGD_ERR_SOCKET_BIND');
  assert.ok(reported.length >= 1);
  assert.match(
    reported[0] ?? '',
    /ERROR \[second\] \[DATALOGD_ERR_SOCKET_BIND\] .*127\.0\.0\.1:\d+: the port is already in use; retrying in [\d.]+ s \(1 so far\)$/,
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
  assert.equal(log.current.withCode('DATALOGD_ERR_SOCKET_CONTAINS_DELIMITER').length, 1);
  assert.equal(log.current.withCode('DATALOGD_ERR_SOCKET_UNENCODABLE').length, 1);
  await node.close();
  const json = filter({ port: 0 });
  json.start();
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  json.receive(cycle);
  json.receive({ big: 2n ** 64n });
  assert.equal(json.stats().dropped_unencodable, 1, 'a cycle, not a long integer');
  await json.close();
});

test('a server without clients reports once per stretch and counts every message', async () => {
  const node = filter({ port: 0 });
  const port = await listening(node);
  for (let i = 0; i < 20; i++) node.receive({ n: i });
  assert.equal(node.stats().dropped_no_connection, 20);
  const lines = log.current.withCode('DATALOGD_ERR_SOCKET_NO_CONNECTION');
  assert.equal(lines.length, 1, 'one line for the stretch, not one per message');
  assert.match(lines[0] ?? '', /INFO .*\(1 so far\)$/);

  const reader = await open(port);
  await until(() => node.stats().connections === 1, 'a client');
  node.receive({ n: 'sent' });
  reader.destroy();
  await until(() => node.stats().connections === 0, 'the client gone');
  node.receive({ n: 'after' });
  assert.equal(node.stats().dropped_no_connection, 21);
  assert.equal(
    log.current.withCode('DATALOGD_ERR_SOCKET_NO_CONNECTION').length,
    2,
    'a new stretch is reported again',
  );
  await node.close();
});

test('send_buffer_size counts bytes on the wire: multi-byte text fills it sooner than ASCII', async () => {
  // Each frame: 10 characters and the delimiter, 11 UTF-16 units; 11 bytes in ASCII, 21 with é.
  const node = filter({ port: 0, structure_type: 'none', send_buffer_size: 30 });
  const port = await listening(node);
  const reader = await open(port);
  let received = Buffer.alloc(0);
  reader.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  await until(() => node.stats().connections === 1, 'the reader connected');

  // The frames of one turn of the event loop leave as one chunk, which the bound decides on.
  node.receive('e'.repeat(10));
  node.receive('e'.repeat(10));
  await until(() => received.length === 22, 'the ASCII frames, 22 bytes, fit');
  assert.equal(node.stats().dropped_send_buffer_full, 0);

  node.receive('é'.repeat(10));
  await until(() => received.length === 43, 'one é frame, 21 bytes, fits');
  node.receive('é'.repeat(10));
  node.receive('é'.repeat(10));
  await until(() => node.stats().dropped_send_buffer_full === 2, 'two é frames, 42 bytes, do not');
  assert.equal(received.subarray(22).toString('utf8'), 'é'.repeat(10) + '\x17');
  const lines = log.current.withCode('DATALOGD_ERR_SOCKET_SEND_BUFFER_FULL');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? '',
    /127\.0\.0\.1:\d+ .*send_buffer_size reached; 2 message\(s\) dropped/,
  );
  assert.equal(node.stats().bytes_out, 43, 'bytes_out counts UTF-8 bytes');
  reader.destroy();
  await node.close();
});

test('queue_bytes counts bytes on the wire; what is still queued at close is reported', async () => {
  const port = await freePort();
  // Three 21-byte frames are 63 bytes (33 UTF-16 units): over queue_bytes 50, so one goes.
  const client = filter({
    role: 'client',
    port,
    structure_type: 'none',
    queue_bytes: 50,
    reconnect_min: 1,
    reconnect_max: 1,
  });
  client.start();
  await until(() => client.stats().connect_failures === 1, 'the first connection refused');
  for (const letter of ['a', 'b', 'c']) client.receive(letter + 'é'.repeat(9) + letter);
  let stats = client.stats();
  assert.equal(stats.dropped_queue_full, 1, 'the oldest frame made room');
  assert.equal(stats.queued_messages, 2);
  assert.equal(stats.queued_bytes, 42);
  assert.equal(log.current.withCode('DATALOGD_ERR_SOCKET_QUEUE_FULL').length, 1);
  const refused = log.current.withCode('DATALOGD_ERR_SOCKET_CONNECT');
  assert.equal(refused.length, 1);
  assert.match(refused[0] ?? '', new RegExp(`WARNING .*127\\.0\\.0\\.1:${port} .*\\(1 so far\\)$`));

  await client.close();
  stats = client.stats();
  assert.equal(stats.dropped_at_close, 2);
  assert.equal(stats.queued_messages, 0);
  assert.equal(stats.queued_bytes, 0);
  const unsent = log.current.withCode('DATALOGD_ERR_SOCKET_UNSENT_AT_CLOSE');
  assert.equal(unsent.length, 1);
  assert.match(unsent[0] ?? '', /2 queued message\(s\) .*\(2 so far\)$/);
  client.receive('after close');
  assert.equal(client.stats().dropped_at_close, 3, 'data after close is counted too');
  assert.equal(client.stats().queued_messages, 0, 'and not queued');
});

test('a client outage is one warning however many retries, and every attempt is counted', async () => {
  const port = await freePort();
  const client = filter({ role: 'client', port, reconnect_min: 0.01, reconnect_max: 0.02 });
  client.start();
  await until(() => (client.stats().connect_failures ?? 0) >= 5, 'several failed attempts');
  assert.equal(log.current.withCode('DATALOGD_ERR_SOCKET_CONNECT').length, 1);

  const server = filter({ port });
  const got = new Collect();
  server.connectSinks(got);
  server.start();
  await until(() => client.stats().connections === 1, 'connected once the server is up');
  client.receive({ after: 'outage' });
  await until(() => got.got.length === 1, 'delivered');
  await Promise.all([client.close(), server.close()]);
});

test('a connection past max_connections is refused, reported with the peer, and counted', async () => {
  const node = filter({ port: 0, max_connections: 1 });
  const port = await listening(node);
  const first = await open(port);
  await until(() => node.stats().connections === 1, 'the first client');
  const second = await open(port);
  await new Promise((resolve) => second.once('close', resolve));
  assert.equal(node.stats().connections_refused, 1);
  const lines = log.current.withCode('DATALOGD_ERR_SOCKET_MAX_CONNECTIONS');
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /127\.0\.0\.1:\d+.*max_connections \(1\)/);
  first.destroy();
  await node.close();
});

test('an oversized message, invalid UTF-8 and text that is not JSON are reported by code', async () => {
  const node = filter({ port: 0, buffer_size: 10 });
  const got = new Collect();
  node.connectSinks(got);
  const port = await listening(node);
  const socket = await open(port);
  socket.write(
    Buffer.concat([
      Buffer.from('{"too": "long for ten"}\x17'),
      Buffer.from([0xff, 0x17]),
      Buffer.from('{bad\x17[1]\x17\x17'),
    ]),
  );
  await until(() => got.got.length === 3, 'three messages passed on');
  const stats = node.stats();
  assert.equal(stats.dropped_oversize, 1);
  assert.equal(stats.undecodable, 1);
  assert.equal(stats.not_json, 1);
  assert.equal(stats.dropped_empty, 1);
  assert.equal(stats.messages_in, 3);
  for (const code of [
    'DATALOGD_ERR_SOCKET_OVERSIZE',
    'DATALOGD_ERR_SOCKET_UNDECODABLE',
    'DATALOGD_ERR_SOCKET_NOT_JSON',
  ]) {
    assert.equal(log.current.withCode(code).length, 1, code);
  }
  socket.destroy();
  await node.close();
});
