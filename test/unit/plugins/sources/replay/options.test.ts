import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schema } from '../../../../../src/plugins/sources/replay/options.js';

test('speed is max or a positive number; start and end are ISO text or a duration before now', () => {
  const o = schema.parse({ filename: 'lab.db' });
  assert.equal(o.speed, 'max');
  assert.equal(o.start, null);
  assert.equal(schema.parse({ filename: 'a', speed: 10 }).speed, 10);
  assert.deepEqual(schema.parse({ filename: 'a', start: '12h' }).start, {
    kind: 'ago',
    seconds: 43_200,
  });
  assert.deepEqual(schema.parse({ filename: 'a', end: '2024-05-06T22:00:00.5Z' }).end, {
    kind: 'at',
    us: Date.parse('2024-05-06T22:00:00.5Z') * 1000,
  });
  for (const bad of [{ speed: 0 }, { speed: 'fast' }, { start: 'yesterday' }, { end: 'soon' }]) {
    assert.equal(schema.safeParse({ filename: 'a', ...bad }).success, false, JSON.stringify(bad));
  }
  assert.match(
    schema.safeParse({ filename: 'a', start: 'yesterday' }).error?.issues[0]?.message ?? '',
    /must be ISO 8601 text .* or a duration before now/,
  );
});
