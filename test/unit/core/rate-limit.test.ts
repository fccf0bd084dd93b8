import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Logger, setLogWriter } from '../../../src/core/log.js';
import { RateLimitedLog } from '../../../src/core/rate-limit.js';

test('lets a burst through per key, then reports how many it held back', () => {
  const lines: string[] = [];
  const previous = setLogWriter((l) => lines.push(l));
  try {
    let now = 0;
    const limited = new RateLimitedLog(new Logger('n'), {
      burst: 2,
      windowMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 10; i++) limited.warning('k', `fault ${i}`);
    limited.warning('other', 'other fault');
    assert.deepEqual(
      lines.map((l) => l.replace(/^\S+ /, '')),
      ['WARNING [n] fault 0', 'WARNING [n] fault 1', 'WARNING [n] other fault'],
    );
    now = 1500;
    limited.warning('k', 'fault again');
    assert.match(lines[3] ?? '', /8 more like this were suppressed/);
    assert.match(lines[4] ?? '', /fault again/);
  } finally {
    setLogWriter(previous);
  }
});
