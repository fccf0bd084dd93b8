import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WebSocket } from 'ws';
import type { RuntimeCode } from '../../../../src/core/errors.js';
import { acquireWebServer, openWebServerCount } from '../../../../src/io/web/shared.js';
import { html } from '../../../../src/io/web/responses.js';
import { WebServer } from '../../../../src/io/web/server.js';
import { staticFile } from '../../../../src/io/web/static-files.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';
import { waitUntil } from '../../../helpers/wait.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function recorder(): {
  report: (code: RuntimeCode, message: string) => number;
  codes: RuntimeCode[];
  messages: string[];
} {
  const codes: RuntimeCode[] = [];
  const messages: string[] = [];
  return {
    codes,
    messages,
    report: (code, message) => {
      codes.push(code);
      messages.push(message);
      return codes.length;
    },
  };
}

async function started(options: ConstructorParameters<typeof WebServer>[0]): Promise<WebServer> {
  const server = new WebServer(options);
  await server.listen();
  assert.ok(server.port !== undefined && server.port > 0);
  return server;
}

const log = captureLogEachTest();
const dir = await mkdtemp(join(tmpdir(), 'datalogd-web-'));
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('routes by exact path: pages, files with their content type, 404, 405, a slash redirect', async () => {
  const server = await started({ address: { host: '127.0.0.1', port: 0 } });
  try {
    const port = server.port as number;
    await writeFile(join(dir, 'app.js'), 'console.log(1);\n');
    server.addRoute(
      '/page/',
      (_q, res) => {
        html(res, '<p>hi</p>');
      },
      { title: 'A page' },
    );
    server.addRoute('/app.js', staticFile(join(dir, 'app.js')));
    const page = await get(port, '/page/');
    assert.equal(page.status, 200);
    assert.equal(page.body, '<p>hi</p>');
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const script = await get(port, '/app.js');
    assert.equal(script.status, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.body, 'console.log(1);\n');
    const again = await get(port, '/app.js', { 'If-None-Match': String(script.headers.etag) });
    assert.equal(again.status, 304, 'the ETag spares a reload the body');
    assert.equal((await get(port, '/nothing')).status, 404);
    const redirect = await get(port, '/page?x=1');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/page/?x=1');
    const index = await get(port, '/');
    assert.match(index.body, /<a href="\/page\/">A page<\/a>/);
    const post = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/page/', method: 'POST' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(post, 405);
  } finally {
    await server.close();
  }
});

test('a route path is matched decoded, so a node name with a space or # reaches its page', async () => {
  const server = await started({ address: { host: '127.0.0.1', port: 0 } });
  try {
    server.addRoute(
      '/plot/my #1/',
      (_q, res) => {
        html(res, 'ok');
      },
      { title: 'mine' },
    );
    const reply = await get(server.port as number, '/plot/my%20%231/');
    assert.equal(reply.status, 200);
    const index = await get(server.port as number, '/');
    assert.match(index.body, /href="\/plot\/my%20%231\/"/);
  } finally {
    await server.close();
  }
});

test('registering a taken path throws, unless both say shared; a shared route lives until its last user', async () => {
  const server = new WebServer({ address: { host: '127.0.0.1', port: 0 } });
  const noop = (): void => undefined;
  server.addRoute('/a', noop);
  assert.throws(() => server.addRoute('/a', noop), /already serves \/a/);
  const first = server.addRoute('/lib.js', noop, { shared: true });
  const second = server.addRoute('/lib.js', noop, { shared: true });
  first();
  assert.throws(
    () => server.addRoute('/lib.js', noop),
    /already serves/,
    'still there for the second user',
  );
  second();
  server.addRoute('/lib.js', noop);
  await server.close();
});

test('without a token, a Host that is not this machine is refused (DNS rebinding)', async () => {
  const { report, codes } = recorder();
  const server = await started({ address: { host: '127.0.0.1', port: 0 } });
  server.addReporter(report);
  try {
    server.addRoute('/x', (_q, res) => {
      html(res, 'x');
    });
    const port = server.port as number;
    assert.equal((await get(port, '/x', { Host: `localhost:${port}` })).status, 200);
    assert.equal((await get(port, '/x', { Host: 'evil.example:80' })).status, 403);
    assert.deepEqual(codes, ['DATALOGD_ERR_WEB_REFUSED']);
    assert.match(log.current.text(), /Web server listening on http:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    await server.close();
  }
});

test('with a token, every request must carry it: query (then a cookie), Bearer header or cookie', async () => {
  const { report, codes } = recorder();
  const server = await started({ address: { host: '127.0.0.1', port: 0 }, token: 's3cret' });
  server.addReporter(report);
  try {
    server.addRoute('/x', (_q, res) => {
      html(res, 'x');
    });
    const port = server.port as number;
    assert.equal((await get(port, '/x')).status, 401);
    assert.equal((await get(port, '/x?token=wrong')).status, 401);
    const withQuery = await get(port, '/x?token=s3cret');
    assert.equal(withQuery.status, 200);
    const cookie = String(withQuery.headers['set-cookie']);
    assert.match(cookie, /^datalogd_token=s3cret; Path=\/; HttpOnly; SameSite=Strict/);
    assert.equal((await get(port, '/x', { Cookie: cookie.split(';')[0] ?? '' })).status, 200);
    assert.equal((await get(port, '/x', { Authorization: 'Bearer s3cret' })).status, 200);
    assert.equal((await get(port, '/x', { Authorization: 'Bearer s3cre' })).status, 401);
    assert.equal(codes.filter((c) => c === 'DATALOGD_ERR_WEB_REFUSED').length, 3);
  } finally {
    await server.close();
  }
});

/** A client socket, open, with every message it received so far in `received`. */
function openSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<WebSocket & { received: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = Object.assign(new WebSocket(url, { headers }), { received: [] as string[] });
    ws.on('message', (m: Buffer) => ws.received.push(m.toString()));
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`status ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

test('WebSocket routes: upgrades accepted, a foreign Origin refused, the connection cap enforced and reported', async () => {
  const { report, codes } = recorder();
  const server = await started({ address: { host: '127.0.0.1', port: 0 }, maxWebSockets: 2 });
  try {
    server.addWebSocketRoute(
      '/ws',
      (ws) => {
        ws.send('hello');
      },
      { report },
    );
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const a = await openSocket(url);
    await waitUntil(() => a.received.length > 0, 'the greeting');
    assert.deepEqual(a.received, ['hello']);
    await assert.rejects(openSocket(url, { Origin: 'http://evil.example' }), /status 403/);
    const b = await openSocket(url, { Origin: `http://127.0.0.1:${server.port}` });
    await waitUntil(() => server.webSocketCount === 2, 'two sockets tracked');
    await assert.rejects(openSocket(url), /status 503/);
    assert.deepEqual(codes, ['DATALOGD_ERR_WEB_REFUSED', 'DATALOGD_ERR_WEB_CLIENTS_FULL']);
    await assert.rejects(openSocket(`ws://127.0.0.1:${server.port}/other`), /status 404/);
    const closed = new Promise<number>((resolve) =>
      b.once('close', (code: number) => {
        resolve(code);
      }),
    );
    a.terminate();
    await server.close();
    assert.equal(await closed, 1001, 'pages are told the server is going away');
  } finally {
    await server.close();
  }
});

test('one server per address: shared by reference count, closed by the last release', async () => {
  const a = recorder();
  const b = recorder();
  const before = openWebServerCount();
  const address = { host: '127.0.0.1', port: 0 };
  const first = acquireWebServer(address, { report: a.report });
  const second = acquireWebServer(address, { report: b.report });
  assert.equal(first.server, second.server);
  assert.equal(openWebServerCount(), before + 1);
  await first.server.listen();
  const port = first.server.port as number;
  await first.release();
  await first.release();
  assert.equal((await get(port, '/')).status, 200, 'still open for the second user');
  await second.release();
  assert.equal(openWebServerCount(), before);
  await assert.rejects(get(port, '/'), /ECONNREFUSED/);
});

test('users of one address must agree on its token', async () => {
  const { report } = recorder();
  const address = { host: '127.0.0.1', port: 0 };
  const lease = acquireWebServer(address, { report, token: 'one' });
  try {
    assert.throws(
      () => acquireWebServer(address, { report, token: 'two' }),
      /different access token/,
    );
    assert.throws(() => acquireWebServer(address, { report }), /different access token/);
  } finally {
    await lease.release();
  }
});

test('a port in use is reported to every user and retried until it is free', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const { report, codes, messages } = recorder();
  const lease = acquireWebServer({ host: '127.0.0.1', port }, { report });
  try {
    await lease.server.listen();
    assert.deepEqual(codes, ['DATALOGD_ERR_WEB_LISTEN']);
    assert.match(messages[0] ?? '', /EADDRINUSE/);
    assert.equal(lease.server.port, undefined);
    await new Promise<void>((resolve) =>
      blocker.close(() => {
        resolve();
      }),
    );
    await waitUntil(() => lease.server.port === port, 'the retry to bind', { timeoutMs: 5000 });
    assert.equal((await get(port, '/')).status, 200);
  } finally {
    await lease.release();
  }
});
