import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  messageDelimiterSchema,
  socketOptionsSchema,
} from '../../../../../src/plugins/filters/socket/options.js';

test('options keep Python names and defaults, and accept Python spellings', () => {
  const o = socketOptionsSchema.parse({});
  assert.equal(o.role, 'server');
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 45454);
  assert.equal(o.buffer_size, 1_048_576);
  assert.equal(o.structure_type, 'json');
  assert.deepEqual([...(o.message_delimiter ?? [])], [0x17]);
  assert.equal(o.queue_size, 10_000);
  assert.equal(o.queue_bytes, 64 * 1024 * 1024);
  assert.equal(o.send_buffer_size, 8 * 1024 * 1024);
  assert.equal(o.max_connections, 1024);
  assert.equal(o.reconnect_min, 0.1);
  assert.equal(o.reconnect_max, 5);
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

test('reconnect_max below reconnect_min is refused by the schema, on reconnect_min', () => {
  const result = socketOptionsSchema.safeParse({ reconnect_min: 2, reconnect_max: 1 });
  if (result.success) assert.fail('reconnect_min 2 > reconnect_max 1 was accepted');
  const issue = result.error.issues[0];
  assert.deepEqual(issue?.path, ['reconnect_min']);
  assert.match(issue.message, /reconnect_max/);
  assert.equal(
    socketOptionsSchema.safeParse({ reconnect_min: 1, reconnect_max: 1 }).success,
    true,
    'equal bounds are a fixed delay',
  );
});

test('reconnect delays are seconds a timer can hold, and more than 0', () => {
  assert.equal(socketOptionsSchema.safeParse({ reconnect_min: 0 }).success, false);
  assert.equal(socketOptionsSchema.safeParse({ reconnect_max: 1e7 }).success, false);
  assert.equal(socketOptionsSchema.safeParse({ reconnect_max: 86_400 }).success, true);
});

describe('messageDelimiterSchema', () => {
  const schema = z.object({ message_delimiter: messageDelimiterSchema });

  test('transforms a valid value and defaults when absent', () => {
    assert.deepEqual(
      schema.parse({ message_delimiter: '\\r\\n' }).message_delimiter,
      Buffer.from('\r\n'),
    );
    assert.deepEqual(schema.parse({}).message_delimiter, Buffer.from([0x17]));
    assert.equal(schema.parse({ message_delimiter: null }).message_delimiter, null);
  });

  test('reports an invalid value as an issue on the option', () => {
    const result = schema.safeParse({ message_delimiter: [300] });
    if (result.success) assert.fail('an out-of-range byte was accepted');
    const issue = result.error.issues[0];
    assert.deepEqual(issue?.path, ['message_delimiter']);
    assert.match(issue.message, /byte values/);
  });
});
