import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { validateOptions } from '../../../../../src/core/options.js';
import { loadBuiltinPlugins } from '../../../../../src/plugins/index.js';
import {
  InfluxDB2DataSink,
  InfluxDBDataSink,
  type InfluxDB2Options,
  type InfluxDBOptions,
} from '../../../../../src/plugins/sinks/influxdb/index.js';
import { FakeInfluxServer } from '../../../../helpers/influxd.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

let server: FakeInfluxServer;
const log = captureLogEachTest();

before(async () => {
  server = await FakeInfluxServer.start();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.reply = () => ({ status: 204 });
});

function v2Options(attributes: Record<string, unknown> = {}): InfluxDB2Options {
  return InfluxDB2DataSink.optionsSchema.parse({ url: server.url, ...attributes });
}

function v1Options(attributes: Record<string, unknown> = {}): InfluxDBOptions {
  return InfluxDBDataSink.optionsSchema.parse({
    host: '127.0.0.1',
    port: server.port,
    ...attributes,
  });
}

function writtenLines(): string[] {
  return server.requests
    .filter((r) => r.url.pathname === '/write' || r.url.pathname === '/api/v2/write')
    .flatMap((r) => r.body.split('\n'));
}

describe('option defaults are Python datalogd', () => {
  test('InfluxDB2DataSink', () => {
    const o = InfluxDB2DataSink.optionsSchema.parse({});
    assert.equal(o.url, 'http://localhost:8086');
    assert.equal(o.token.reveal(), '');
    assert.equal(o.org, 'default');
    assert.equal(o.bucket, 'default');
    assert.equal(o.measurement, 'measurement');
    assert.equal(o.run_id, null);
    assert.equal(o.field_key, null);
    assert.equal(o.field_value, null);
  });

  test('InfluxDBDataSink', () => {
    const o = InfluxDBDataSink.optionsSchema.parse({});
    assert.equal(o.host, 'localhost');
    assert.equal(o.port, 8086);
    assert.equal(o.user, 'root');
    assert.equal(o.password.reveal(), 'root');
    assert.equal(o.dbname, 'datalogd');
    assert.equal(o.session, 'default');
    assert.equal(o.run, null);
  });

  test('both are built-ins', async () => {
    const builtins = await loadBuiltinPlugins();
    assert.ok(builtins.includes(InfluxDBDataSink));
    assert.ok(builtins.includes(InfluxDB2DataSink));
  });

  test('DOT numbers are accepted where text is meant', () => {
    const o = InfluxDB2DataSink.optionsSchema.parse({ org: 42, run_id: 7, token: 12345 });
    assert.equal(o.org, '42');
    assert.equal(o.run_id, '7');
    assert.equal(o.token.reveal(), '12345');
  });

  test('a bad URL or env var name is a configuration error', () => {
    const result = validateOptions('db', 'InfluxDB2DataSink', InfluxDB2DataSink.optionsSchema, {
      url: 'ftp://x',
      token_env: 'not a name',
    });
    assert.deepEqual(
      result.problems.map((p) => p.option),
      ['url', 'token_env'],
    );
  });

  test('retry_min larger than retry_max is a configuration error on retry_min', () => {
    for (const cls of [InfluxDBDataSink, InfluxDB2DataSink]) {
      const result = validateOptions('db', cls.name, cls.optionsSchema, {
        retry_min: 10,
        retry_max: 2,
      });
      assert.deepEqual(
        result.problems.map((p) => [p.code, p.option]),
        [['DATALOGD_ERR_OPTION_TYPE', 'retry_min']],
      );
      assert.match(result.problems[0]?.message ?? '', /retry_max \(2\)/);
      const equal = validateOptions('db', cls.name, cls.optionsSchema, {
        retry_min: 2,
        retry_max: 2,
      });
      assert.deepEqual(equal.problems, []);
    }
  });

  test('port, durations and flags use the shared option pieces', () => {
    const check = (attributes: Record<string, unknown>): (string | undefined)[] =>
      validateOptions(
        'db',
        'InfluxDBDataSink',
        InfluxDBDataSink.optionsSchema,
        attributes,
      ).problems.map((p) => p.option);
    assert.deepEqual(check({ port: 0 }), ['port']);
    assert.deepEqual(check({ port: 70000 }), ['port']);
    assert.deepEqual(check({ timeout: 0 }), ['timeout']);
    assert.deepEqual(check({ flush_interval: 1e9 }), ['flush_interval']);
    assert.deepEqual(check({ close_timeout: 0, ssl: 1, port: '8087' }), []);
    const o = InfluxDBDataSink.optionsSchema.parse({ ssl: 1, port: '8087' });
    assert.equal(o.ssl, true);
    assert.equal(o.port, 8087);
  });
});

describe('InfluxDB2DataSink', () => {
  test('one point per record, written in a batch at close', async () => {
    const sink = new InfluxDB2DataSink(v2Options({ run_id: 'R', bucket: 'lab', org: 'o' }));
    sink.start();
    sink.receive([
      { type: 'temperature', id: 'A', value: 21.5, units: 'C', timestamp: new Date(1000) },
      { name: 'door', value: true, source: 'arduino 1', timestamp: '1970-01-01T00:00:02.5Z' },
      { label: 'status', value: 'ok "fine"', timestamp: new Date(3000) },
    ]);
    await sink.close();
    const [request] = server.to('/api/v2/write');
    assert.equal(request?.url.searchParams.get('bucket'), 'lab');
    assert.deepEqual(writtenLines(), [
      'measurement,run_id=R,units=C temperature_A=21.5 1000000000',
      'measurement,run_id=R,source=arduino\\ 1 door=true 2500000000',
      'measurement,run_id=R status="ok \\"fine\\"" 3000000000',
    ]);
    assert.equal(sink.stats().points_written, 3);
    assert.equal(sink.stats().records_received, 3);
  });

  test('records without a timestamp share the receipt time; receipts never share one', async () => {
    const sink = new InfluxDB2DataSink(v2Options({ run_id: 'R' }));
    sink.start();
    sink.receive([
      { type: 'a', id: '0', value: 1 },
      { type: 'a', id: '1', value: 2 },
    ]);
    sink.receive({ type: 'a', id: '0', value: 3 });
    await sink.close();
    const times = writtenLines().map((line) => line.split(' ')[2]);
    assert.equal(times.length, 3);
    assert.equal(times[0], times[1]);
    assert.notEqual(times[1], times[2]);
  });

  test('null, [] and undefined are ignored; items that are not records and bad values are skipped and counted', async () => {
    const sink = new InfluxDB2DataSink(v2Options({ run_id: 'R' }));
    sink.start();
    sink.receive(null);
    sink.receive([]);
    sink.receive(undefined);
    sink.receive([42, { value: [1, 2] }, { value: NaN }, { value: 1, timestamp: 'soon' }]);
    await sink.close();
    const stats = sink.stats();
    assert.equal(stats.records_received, 4);
    assert.equal(stats.records_skipped, 3);
    assert.equal(stats.bad_timestamps, 1);
    assert.equal(stats.points_written, 1);
    const skips = log.current.withCode('DATALOGD_ERR_INFLUX_RECORD_SKIPPED');
    assert.equal(skips.length, 3);
    assert.ok(skips.every((line) => / WARNING /.test(line)));
    assert.equal(new Set(skips.map((l) => l.replace(/ \(\d+ so far\)$/, ''))).size, 3, 'reasons');
    assert.match(skips.at(-1) ?? '', /\(3 so far\)$/);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_BAD_TIMESTAMP').length, 1);
  });

  test('a line break in a tag is written as \\n and counted', async () => {
    const sink = new InfluxDB2DataSink(v2Options({ run_id: 'R' }));
    sink.start();
    sink.receive({ value: 1, note: 'two\nlines', timestamp: new Date(0) });
    await sink.close();
    assert.deepEqual(writtenLines(), ['measurement,note=two\\nlines,run_id=R data=1 0']);
    assert.equal(sink.stats().names_altered, 1);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_NAME_ALTERED').length, 1);
  });

  test('the default run_id is the start time, YYYYMMDD-HHMMSS', () => {
    const sink = new InfluxDB2DataSink(v2Options());
    assert.match(sink.runId, /^\d{8}-\d{6}$/);
  });

  test('records received after close are dropped and counted', async () => {
    const sink = new InfluxDB2DataSink(v2Options());
    sink.start();
    await sink.close();
    sink.receive({ value: 1 });
    assert.equal(sink.stats().points_dropped, 1);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_BUFFER_FULL').length, 1);
    assert.equal(server.requests.length, 0);
  });
});

describe('InfluxDBDataSink (1.x)', () => {
  test('creates the database, then writes measurement=session with the run tag', async () => {
    server.reply = (r) =>
      r.url.pathname === '/query'
        ? { status: 200, body: '{"results":[{"statement_id":0}]}' }
        : { status: 204 };
    const sink = new InfluxDBDataSink(
      v1Options({ dbname: 'lab', session: 'bench 2', run: 'r1', user: 'u', password: 'p' }),
    );
    sink.start();
    sink.receive([{ type: 'analog', id: 'a0', value: 0.5, timestamp: new Date(5) }]);
    await sink.close();
    const [create, write] = server.requests;
    assert.equal(create?.url.pathname, '/query');
    assert.equal(new URLSearchParams(create.body).get('q'), 'CREATE DATABASE "lab"');
    assert.equal(write?.url.pathname, '/write');
    assert.equal(write.url.searchParams.get('db'), 'lab');
    assert.deepEqual(writtenLines(), ['bench\\ 2,run=r1 analog_a0=0.5 5000000']);
  });

  test('start returns at once when the server is down; close gives up within close_timeout', async () => {
    const sink = new InfluxDBDataSink(
      InfluxDBDataSink.optionsSchema.parse({
        host: '127.0.0.1',
        port: 1,
        close_timeout: 0.3,
        retry_min: 0.05,
      }),
    );
    const started = Date.now();
    sink.start();
    assert.ok(Date.now() - started < 100);
    sink.receive({ value: 1 });
    const closing = Date.now();
    await sink.close();
    const took = Date.now() - closing;
    assert.ok(took >= 250 && took < 1500, `close took ${took} ms`);
    assert.equal(sink.stats().points_unsent_at_close, 1);
  });
});

describe('credentials', () => {
  const TOKEN = 'tok-3f9a1c77e2b04d59';
  const PASSWORD = 'pw-8c41d0aa93e7';

  test('options print, serialise and inspect without the token or password', () => {
    const v2 = v2Options({ token: TOKEN });
    const v1 = v1Options({ password: PASSWORD });
    for (const text of [
      JSON.stringify(v2),
      JSON.stringify(v1),
      inspect(v2, { depth: 5 }),
      inspect(v1, { depth: 5 }),
      String(v2.token),
      String(v1.password),
    ]) {
      assert.ok(!text.includes(TOKEN) && !text.includes(PASSWORD), text);
    }
    assert.match(JSON.stringify(v2), /"token":"\[redacted\]"/);
  });

  test('the token is sent, and never logged, even while the server refuses it', async () => {
    server.reply = () => ({
      status: 401,
      body: '{"code":"unauthorized","message":"unauthorized access"}',
    });
    const sink = new InfluxDB2DataSink(
      v2Options({ token: TOKEN, close_timeout: 0.3, retry_min: 0.05 }),
    );
    sink.start();
    sink.receive({ value: 1 });
    await sink.close();
    assert.ok(server.requests.length >= 1);
    assert.equal(server.requests[0]?.headers.authorization, `Token ${TOKEN}`);
    assert.match(
      log.current.withCode('DATALOGD_ERR_INFLUX_WRITE_FAILED')[0] ?? '',
      /HTTP 401/,
      log.current.text(),
    );
    assert.ok((sink.stats().write_failures ?? 0) >= 1);
    assert.equal(sink.stats().points_unsent_at_close, 1);
    assert.ok(!log.current.text().includes(TOKEN));
    assert.ok(!inspect(sink, { depth: 10 }).includes(TOKEN));
  });

  test('token_env takes the token from the environment, over an inline token', async () => {
    process.env.DATALOGD_TEST_INFLUX_TOKEN = TOKEN;
    try {
      const sink = new InfluxDB2DataSink(
        v2Options({ token: 'inline', token_env: 'DATALOGD_TEST_INFLUX_TOKEN' }),
      );
      sink.start();
      sink.receive({ value: 1 });
      await sink.close();
      assert.equal(server.requests[0]?.headers.authorization, `Token ${TOKEN}`);
    } finally {
      delete process.env.DATALOGD_TEST_INFLUX_TOKEN;
    }
  });

  test('password_env takes the password from the environment', async () => {
    process.env.DATALOGD_TEST_INFLUX_PW = PASSWORD;
    server.reply = (r) =>
      r.url.pathname === '/query' ? { status: 200, body: '{"results":[{}]}' } : { status: 204 };
    try {
      const sink = new InfluxDBDataSink(
        v1Options({ user: 'me', password_env: 'DATALOGD_TEST_INFLUX_PW' }),
      );
      sink.start();
      sink.receive({ value: 1 });
      await sink.close();
      const basic = (server.to('/write')[0]?.headers.authorization ?? '').replace('Basic ', '');
      assert.equal(Buffer.from(basic, 'base64').toString(), `me:${PASSWORD}`);
      assert.ok(!log.current.text().includes(PASSWORD));
    } finally {
      delete process.env.DATALOGD_TEST_INFLUX_PW;
    }
  });

  test('a missing environment variable is a configuration problem of the option, naming the variable only', async () => {
    delete process.env.DATALOGD_TEST_MISSING;
    process.env.DATALOGD_TEST_SET = PASSWORD;
    try {
      const v2 = await InfluxDB2DataSink.validate(
        v2Options({ token_env: 'DATALOGD_TEST_MISSING' }),
        'db',
      );
      assert.deepEqual(
        v2.map((p) => [p.code, p.node, p.option]),
        [['DATALOGD_ERR_OPTION_TYPE', 'db', 'token_env']],
      );
      assert.match(
        v2[0]?.message ?? '',
        /^node "db": option "token_env" names the environment variable DATALOGD_TEST_MISSING, which is not set/,
      );
      const v1 = await InfluxDBDataSink.validate(
        v1Options({ password_env: 'DATALOGD_TEST_MISSING' }),
        'one',
      );
      assert.deepEqual(
        v1.map((p) => p.option),
        ['password_env'],
      );
      assert.deepEqual(
        await InfluxDBDataSink.validate(v1Options({ password_env: 'DATALOGD_TEST_SET' }), 'one'),
        [],
      );
      assert.deepEqual(await InfluxDB2DataSink.validate(v2Options(), 'db'), []);
      assert.ok(!inspect(v1, { depth: 5 }).includes(PASSWORD));
    } finally {
      delete process.env.DATALOGD_TEST_SET;
    }
  });

  test('a sink built without validation still refuses to start without its variable', () => {
    delete process.env.DATALOGD_TEST_MISSING;
    const sink = new InfluxDB2DataSink(v2Options({ token_env: 'DATALOGD_TEST_MISSING' }));
    assert.throws(() => {
      sink.start();
    }, /option "token_env" names the environment variable DATALOGD_TEST_MISSING, which is not set/);
  });
});
