import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeInfluxServer, freePort } from '../../../../helpers/influxd.js';
import { WriteFailure } from '../../../../../src/io/batch-writer.js';
import { httpFailure, redactUrl } from '../../../../../src/plugins/sinks/influxdb/transport.js';
import {
  InfluxV1Transport,
  quoteIdentifier,
  type V1TransportOptions,
} from '../../../../../src/plugins/sinks/influxdb/transport-v1.js';
import {
  InfluxV2Transport,
  type V2TransportOptions,
} from '../../../../../src/plugins/sinks/influxdb/transport-v2.js';

let server: FakeInfluxServer;
before(async () => {
  server = await FakeInfluxServer.start();
});
after(async () => {
  await server.close();
});

function signal(): AbortSignal {
  return new AbortController().signal;
}

/** A 1.x transport to the fake server; each test names only what it changes. */
function v1Transport(options: Partial<V1TransportOptions> = {}): InfluxV1Transport {
  return new InfluxV1Transport({
    host: '127.0.0.1',
    port: server.port,
    ssl: false,
    user: '',
    password: '',
    database: 'd',
    timeoutMs: 5000,
    ...options,
  });
}

function v2Transport(options: Partial<V2TransportOptions> = {}): InfluxV2Transport {
  return new InfluxV2Transport({
    url: server.url,
    token: 't',
    org: 'o',
    bucket: 'b',
    timeoutMs: 5000,
    ...options,
  });
}

describe('InfluxV2Transport', () => {
  test('POSTs the lines to /api/v2/write with org, bucket, ns precision and the token', async () => {
    server.requests.length = 0;
    const transport = v2Transport({ token: 's3cr3t-token==', org: 'my org', bucket: 'b/1' });
    await transport.write(['m f=1 1', 'm f=2 2'], signal());
    transport.close();
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url.pathname, '/api/v2/write');
    assert.deepEqual(Object.fromEntries(request.url.searchParams), {
      org: 'my org',
      bucket: 'b/1',
      precision: 'ns',
    });
    assert.equal(request.headers.authorization, 'Token s3cr3t-token==');
    assert.match(request.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(request.body, 'm f=1 1\nm f=2 2');
    assert.equal(transport.target, `${server.url} bucket "b/1" (org "my org")`);
  });

  test('no Authorization header without a token', async () => {
    server.requests.length = 0;
    const transport = v2Transport({ token: '' });
    await transport.write(['m f=1 1'], signal());
    transport.close();
    assert.equal(server.requests[0]?.headers.authorization, undefined);
  });

  test('an error status becomes a WriteFailure with the server message', async () => {
    server.reply = () => ({ status: 400, body: '{"code":"invalid","message":"unable to parse"}' });
    const transport = v2Transport();
    try {
      await assert.rejects(transport.write(['bad'], signal()), (err: unknown) => {
        assert.ok(err instanceof WriteFailure);
        assert.equal(err.retriable, false);
        assert.equal(err.status, 400);
        assert.match(err.message, /HTTP 400: .*unable to parse/);
        return true;
      });
    } finally {
      server.reply = () => ({ status: 204 });
      transport.close();
    }
  });
});

describe('InfluxV1Transport', () => {
  test('POSTs to /write?db=...&precision=ns with Basic credentials, never in the URL', async () => {
    server.requests.length = 0;
    const transport = v1Transport({ user: 'admin', password: 'pa:ss word', database: 'lab data' });
    await transport.write(['m f=1 1'], signal());
    transport.close();
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.url.pathname, '/write');
    assert.deepEqual(Object.fromEntries(request.url.searchParams), {
      db: 'lab data',
      precision: 'ns',
    });
    const basic = (request.headers.authorization ?? '').replace(/^Basic /, '');
    assert.equal(Buffer.from(basic, 'base64').toString(), 'admin:pa:ss word');
    assert.equal(request.body, 'm f=1 1');
    assert.ok(!transport.target.includes('pa:ss'));
  });

  test('prepare sends CREATE DATABASE with a quoted identifier to /query', async () => {
    server.requests.length = 0;
    server.reply = () => ({ status: 200, body: '{"results":[{"statement_id":0}]}' });
    const transport = v1Transport({ database: 'a"b' });
    try {
      await transport.prepare(signal());
    } finally {
      server.reply = () => ({ status: 204 });
      transport.close();
    }
    const [request] = server.requests;
    assert.equal(request?.url.pathname, '/query');
    assert.equal(new URLSearchParams(request.body).get('q'), 'CREATE DATABASE "a\\"b"');
    assert.equal(request.headers.authorization, undefined);
  });

  test('prepare fails, not retriably, when the query result holds an error', async () => {
    server.reply = () => ({
      status: 200,
      body: '{"results":[{"statement_id":0,"error":"requires admin privilege"}]}',
    });
    const transport = v1Transport({ user: 'u', password: 'p' });
    try {
      await assert.rejects(transport.prepare(signal()), (err: unknown) => {
        assert.ok(err instanceof WriteFailure);
        assert.equal(err.retriable, false);
        assert.match(err.message, /requires admin privilege/);
        return true;
      });
    } finally {
      server.reply = () => ({ status: 204 });
      transport.close();
    }
  });

  test('"database not found" asks for prepare again', async () => {
    server.reply = () => ({ status: 404, body: '{"error":"database not found: \\"d\\""}' });
    const transport = v1Transport();
    try {
      await assert.rejects(transport.write(['m f=1 1'], signal()), (err: unknown) => {
        assert.ok(err instanceof WriteFailure);
        assert.equal(err.retriable, true);
        assert.equal(err.needsPrepare, true);
        return true;
      });
    } finally {
      server.reply = () => ({ status: 204 });
      transport.close();
    }
  });

  test('a server that is not there: retriable, with the system error code', async () => {
    const port = await freePort();
    const transport = v1Transport({ port });
    await assert.rejects(transport.write(['m f=1 1'], signal()), (err: unknown) => {
      assert.ok(err instanceof WriteFailure);
      assert.equal(err.retriable, true);
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    transport.close();
  });

  test('an abort cancels the request', async () => {
    server.reply = () => ({ status: 204 });
    const transport = v1Transport();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(transport.write(['m f=1 1'], controller.signal), WriteFailure);
    transport.close();
  });

  test('IPv6 hosts are bracketed', () => {
    const transport = v1Transport({ host: '::1', port: 8086, ssl: true });
    assert.equal(transport.target, 'https://[::1]:8086 database "d"');
    transport.close();
  });
});

describe('httpFailure', () => {
  const cases: readonly (readonly [number, boolean])[] = [
    [400, false],
    [401, true],
    [403, true],
    [404, true],
    [408, true],
    [413, false],
    [422, false],
    [429, true],
    [500, true],
    [503, true],
  ];
  for (const [status, retriable] of cases) {
    test(`HTTP ${status} is ${retriable ? '' : 'not '}retried`, () => {
      const failure = httpFailure(status, ' body text\n');
      assert.equal(failure.retriable, retriable);
      assert.equal(failure.status, status);
      assert.equal(failure.message, `HTTP ${status}: body text`);
    });
  }

  test('401, 403 and 404 are denials: retried, but a denied prepare step is skipped', () => {
    for (const status of [401, 403, 404]) assert.equal(httpFailure(status, '').kind, 'denied');
    assert.equal(httpFailure(400, '').kind, 'refused');
    assert.equal(httpFailure(503, '').kind, 'unavailable');
  });

  test('a long reply is cut to 300 characters in the message', () => {
    assert.equal(httpFailure(400, 'x'.repeat(1000)).message, `HTTP 400: ${'x'.repeat(300)}`);
  });
});

test('quoteIdentifier escapes quotes and backslashes', () => {
  assert.equal(quoteIdentifier('my "db"\\x'), '"my \\"db\\"\\\\x"');
});

test('redactUrl removes user, password and query', () => {
  assert.equal(redactUrl('https://me:secret@db.example:8086/?token=x'), 'https://db.example:8086');
  assert.equal(redactUrl('not a url'), '(invalid URL)');
});
