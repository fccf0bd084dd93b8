import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getLogger, logLinesDropped, oneLine, parseLogLevel } from '../../../src/core/log.js';
import { captureLog } from '../../helpers/log-capture.js';

describe('oneLine', () => {
  test('text without control characters is returned as it is', () => {
    const text = 'plain text, ünïcode and "quotes" \\n (a backslash and an n)';
    assert.equal(oneLine(text), text);
  });

  test('line breaks of every kind are escaped, so no text starts a line of its own', () => {
    const forged = 'ok\n2026-01-01T00:00:00.000Z ERROR [x] forged';
    assert.equal(oneLine(forged), 'ok\\n2026-01-01T00:00:00.000Z ERROR [x] forged');
    assert.equal(oneLine('a\r\nb\rc'), 'a\\r\\nb\\rc');
    assert.equal(
      oneLine('a\u0085b\u2028c\u2029d\u000bE\u000cF'),
      'a\\x85b\\u2028c\\u2029d\\x0bE\\x0cF',
    );
  });

  test('other C0 and C1 controls (ESC, NUL, DEL, CSI) are escaped, tabs too', () => {
    assert.equal(oneLine('\u001b[2J\u0000\u007f\u009b\t'), '\\x1b[2J\\x00\\x7f\\x9b\\t');
  });

  test('the same result on every call (the pattern keeps no state between calls)', () => {
    for (let i = 0; i < 3; i++) assert.equal(oneLine('x\ny'), 'x\\ny');
  });
});

describe('Logger', () => {
  test('one formatted line per message, through the writer', () => {
    const log = captureLog();
    try {
      getLogger('node').warning('hello');
    } finally {
      log.restore();
    }
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0] ?? '', /^\d{4}-\d\d-\d\dT\S+Z WARNING \[node\] hello$/);
  });

  test('the count of log lines dropped for a stalled stderr starts at 0', () => {
    // The stall itself is tested against a real unread pipe in test/integration/sinks-faults.
    assert.equal(logLinesDropped(), 0);
  });

  test('Python levels and names', () => {
    assert.equal(parseLogLevel(30), 'warning');
    assert.equal(parseLogLevel('WARN'), 'warning');
    assert.equal(parseLogLevel('loud'), undefined);
  });
});
