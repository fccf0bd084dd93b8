import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schema } from '../../../../../src/plugins/sinks/postgresql/options.js';
import { PostgreSQLDataSink } from '../../../../../src/plugins/sinks/postgresql/index.js';

function problems(options: Record<string, unknown>): string[] {
  const result = schema.safeParse(options);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('defaults: the PG* environment, schema public, no TLS of its own, the shared batching', () => {
  const o = schema.parse({});
  assert.equal(o.url, null);
  assert.equal(o.schema, 'public');
  assert.equal(o.sslmode, null);
  assert.equal(o.batch_size, 1000);
  assert.equal(o.password.toString(), '');
});

test('option mistakes are reported on the option', () => {
  assert.deepEqual(problems({ url: 'http://db/lab' }), [
    'url: must be a postgresql:// or postgres:// URL',
  ]);
  assert.match(
    problems({ schema: 'lab; DROP TABLE x' })[0] ?? '',
    /^schema: must be a plain identifier/,
  );
  assert.deepEqual(problems({ sslrootcert: '/etc/ca.pem' }), [
    "sslrootcert: needs sslmode 'require', 'verify-ca' or 'verify-full'",
  ]);
  assert.deepEqual(problems({ sslmode: 'verify-full', sslcert: '/c.pem' }), [
    'sslkey: sslcert and sslkey go together',
  ]);
  assert.match(
    problems({ retry_min: 10, retry_max: 1 })[0] ?? '',
    /^retry_min: must not be larger/,
  );
  assert.deepEqual(
    problems({ sslmode: 'verify-ca', sslrootcert: '/ca.pem', url: 'postgres://x/y' }),
    [],
  );
});

test('validate: password_env must name a variable that is set, TLS files must be readable', async () => {
  const options = schema.parse({
    password_env: 'DATALOGD_UNIT_NO_SUCH_VARIABLE',
    sslmode: 'verify-full',
    sslrootcert: '/no/such/ca.pem',
  });
  const found = await PostgreSQLDataSink.validate(options, 'db');
  assert.deepEqual(
    found.map((p) => [p.code, p.node, p.option]),
    [
      ['DATALOGD_ERR_OPTION_TYPE', 'db', 'password_env'],
      ['DATALOGD_ERR_OPTION_TYPE', 'db', 'sslrootcert'],
    ],
  );
  assert.match(found[0]?.message ?? '', /DATALOGD_UNIT_NO_SUCH_VARIABLE, which is not set/);
  process.env.DATALOGD_UNIT_PG_PASSWORD = 'x';
  try {
    const ok = schema.parse({ password_env: 'DATALOGD_UNIT_PG_PASSWORD' });
    assert.deepEqual(await PostgreSQLDataSink.validate(ok, 'db'), []);
  } finally {
    delete process.env.DATALOGD_UNIT_PG_PASSWORD;
  }
});

test('the target in log lines names user, host, port, database and schema, never the password', () => {
  const sink = new PostgreSQLDataSink(
    schema.parse({ url: 'postgresql://lab:hunter2@db.example:6543/labdata', schema: 'night' }),
  );
  const run = sink.run;
  assert.equal(typeof run.startKey, 'string');
  const line = (sink as unknown as { transport: { target: string } }).transport.target;
  assert.equal(line, 'postgresql://lab@db.example:6543/labdata (schema night)');
});
