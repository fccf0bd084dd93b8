import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WriteFailure } from '../../../../../src/io/batch-writer.js';
import { HttpClient } from '../../../../../src/plugins/sinks/influxdb/http.js';
import { FakeInfluxServer } from '../../../../helpers/influxd.js';
import { waitUntil } from '../../../../helpers/wait.js';

let server: FakeInfluxServer;
/** Accepts connections and never answers: a server that hangs. */
let silent: net.Server;
const silentSockets = new Set<net.Socket>();

before(async () => {
  server = await FakeInfluxServer.start();
  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) =>
    silent.close(() => {
      resolve();
    }),
  );
  await server.close();
});

function silentUrl(): string {
  return `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
}

describe('HttpClient', () => {
  test('keeps one connection alive between requests, and close() destroys it', async () => {
    const ports: number[] = [];
    let open = 0;
    const keepAlive = http.createServer((request, response) => {
      ports.push(request.socket.remotePort ?? 0);
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    keepAlive.on('connection', (socket: net.Socket) => {
      open += 1;
      socket.on('close', () => (open -= 1));
    });
    await new Promise<void>((resolve) => keepAlive.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(keepAlive.address() as net.AddressInfo).port}`;
    const client = new HttpClient({ url, timeoutMs: 5000 });
    try {
      for (let i = 0; i < 3; i++) {
        await client.post('/write', `m f=${i} ${i}`, 'text/plain', new AbortController().signal);
      }
      assert.equal(ports.length, 3);
      assert.equal(new Set(ports).size, 1, 'the three requests shared one connection');
      assert.equal(open, 1);
      client.close();
      await waitUntil(() => open === 0, 'the connection to close');
      await assert.rejects(
        client.post('/write', 'm f=1 1', 'text/plain', new AbortController().signal),
        (err: unknown) => err instanceof WriteFailure && err.kind === 'refused',
      );
    } finally {
      client.close();
      keepAlive.closeAllConnections();
      await new Promise<void>((resolve) =>
        keepAlive.close(() => {
          resolve();
        }),
      );
    }
  });

  test('resolves with the reply text on 2xx, and rejects with the status and message otherwise', async () => {
    server.reply = (r) =>
      r.url.pathname === '/query'
        ? { status: 200, body: '{"results":[]}' }
        : { status: 422, body: '{"message":"unprocessable"}' };
    const client = new HttpClient({ url: server.url, timeoutMs: 5000 });
    try {
      const signal = new AbortController().signal;
      assert.equal(await client.post('/query', 'q=x', 'text/plain', signal), '{"results":[]}');
      await assert.rejects(client.post('/write', 'x', 'text/plain', signal), (err: unknown) => {
        assert.ok(err instanceof WriteFailure);
        assert.equal(err.status, 422);
        assert.equal(err.kind, 'refused');
        assert.match(err.message, /^HTTP 422: .*unprocessable/);
        return true;
      });
    } finally {
      server.reply = () => ({ status: 204 });
      client.close();
    }
  });

  test('a path in the base URL prefixes every request; headers and the body length are sent', async () => {
    server.requests.length = 0;
    const client = new HttpClient({
      url: `${server.url}/influx/`,
      timeoutMs: 5000,
      headers: { authorization: 'Token t' },
    });
    await client.post('/api/v2/write?b=1', 'ü', 'text/plain', new AbortController().signal);
    client.close();
    const [request] = server.requests;
    assert.equal(request?.url.pathname, '/influx/api/v2/write');
    assert.equal(request.url.searchParams.get('b'), '1');
    assert.equal(request.headers.authorization, 'Token t');
    assert.equal(request.headers['content-length'], '2');
    assert.equal(request.body, 'ü');
  });

  test('a server that does not answer within the timeout: the request is abandoned, retriable', async () => {
    const client = new HttpClient({ url: silentUrl(), timeoutMs: 200 });
    const started = Date.now();
    await assert.rejects(
      client.post('/write', 'm f=1 1', 'text/plain', new AbortController().signal),
      (err: unknown) => {
        assert.ok(err instanceof WriteFailure);
        assert.equal(err.kind, 'unavailable');
        assert.match(err.message, /no reply within 0\.2 s/);
        return true;
      },
    );
    const took = Date.now() - started;
    assert.ok(took >= 150 && took < 3000, `took ${took} ms`);
    client.close();
  });

  test('an abort cuts a request in flight', async () => {
    const client = new HttpClient({ url: silentUrl(), timeoutMs: 60_000 });
    const controller = new AbortController();
    const request = client.post('/write', 'm f=1 1', 'text/plain', controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 50);
    await assert.rejects(
      request,
      (err: unknown) => err instanceof WriteFailure && err.kind === 'unavailable',
    );
    client.close();
  });

  test('a reply cut off half way fails retriably, not a hang', async () => {
    const cutting = http.createServer((request, response) => {
      request.resume();
      response.writeHead(500, { 'content-length': '100' });
      response.write('{"error":"part');
      setTimeout(() => {
        response.socket?.destroy();
      }, 20);
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(cutting.address() as net.AddressInfo).port}`;
    const client = new HttpClient({ url, timeoutMs: 60_000 });
    try {
      await assert.rejects(
        client.post('/write', 'm f=1 1', 'text/plain', new AbortController().signal),
        (err: unknown) => err instanceof WriteFailure && err.kind === 'unavailable',
      );
    } finally {
      client.close();
      cutting.closeAllConnections();
      await new Promise<void>((resolve) => {
        cutting.close(() => {
          resolve();
        });
      });
    }
  });

  test('https: is spoken to an https URL (here to a plain HTTP server, which fails retriably)', async () => {
    const client = new HttpClient({
      url: server.url.replace('http:', 'https:'),
      timeoutMs: 5000,
    });
    await assert.rejects(
      client.post('/write', 'm f=1 1', 'text/plain', new AbortController().signal),
      (err: unknown) => err instanceof WriteFailure && err.kind === 'unavailable',
    );
    client.close();
  });
});
