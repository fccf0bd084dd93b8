import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  getLogger,
  logLinesDropped,
  oneLine,
  parseLogLevel,
  setLogFormat,
} from '../../../src/core/log.js';
import { DataSink } from '../../../src/core/node.js';
import { RateLimitedLog } from '../../../src/core/rate-limit.js';
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

/** The lines logged by `act` in the JSON format, parsed; the format is human again after. */
function jsonLines(act: () => void): Record<string, unknown>[] {
  const log = captureLog();
  setLogFormat('json');
  try {
    act();
  } finally {
    setLogFormat('human');
    log.restore();
  }
  return log.lines.map((line) => {
    assert.doesNotMatch(line, /\n/, 'one line');
    return JSON.parse(line) as Record<string, unknown>;
  });
}

/** A node whose runtime problems go through the real `report`, as every plugin's do. */
class Reporting extends DataSink {
  fault(message: string, count?: number): void {
    this.report('DATALOGD_ERR_FILE_WRITE', message, count === undefined ? {} : { count });
  }
}

describe('the JSON log format', () => {
  test('time, level, node and message, one object per line', () => {
    const [line, ...rest] = jsonLines(() => {
      getLogger('DataLogDaemon').warning('hello "world"');
    });
    assert.deepEqual(rest, []);
    assert.ok(line !== undefined);
    assert.deepEqual(Object.keys(line), ['time', 'level', 'node', 'message']);
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(line.level, 'warning');
    assert.equal(line.node, 'DataLogDaemon');
    assert.equal(line.message, 'hello "world"');
  });

  test('a runtime event carries its code and running count as fields, not in the message', () => {
    const node = new Reporting();
    node.nodeName = 'file';
    const lines = jsonLines(() => {
      node.fault('cannot write to /data/x.csv: ENOSPC');
      node.fault('dropped (2) things', 4);
    });
    assert.deepEqual(lines[0], {
      time: lines[0]?.time,
      level: 'error',
      node: 'file',
      message: 'cannot write to /data/x.csv: ENOSPC',
      code: 'DATALOGD_ERR_FILE_WRITE',
      count: 1,
    });
    const second = lines[1];
    assert.ok(second !== undefined);
    assert.equal(second.message, 'dropped (2) things');
    assert.equal(second.count, 5);
    assert.equal(node.stats().write_errors, 5, 'the same count as the counter');
  });

  test('the note on suppressed repeats names the code and how many were held back', () => {
    let now = 0;
    const limited = new RateLimitedLog(getLogger('n'), {
      burst: 1,
      windowMs: 1000,
      now: () => now,
    });
    const lines = jsonLines(() => {
      for (let i = 0; i < 4; i++) {
        limited.log(
          'warning',
          'DATALOGD_ERR_FILE_DROPPED full',
          `[DATALOGD_ERR_FILE_DROPPED] x (${i + 1} so far)`,
        );
      }
      now = 1000;
      limited.log(
        'warning',
        'DATALOGD_ERR_FILE_DROPPED full',
        '[DATALOGD_ERR_FILE_DROPPED] x (5 so far)',
      );
    });
    assert.equal(lines.length, 3, JSON.stringify(lines));
    const [, note, next] = lines;
    assert.ok(note !== undefined && next !== undefined);
    assert.equal(note.code, 'DATALOGD_ERR_FILE_DROPPED');
    assert.equal(note.suppressed, 3);
    assert.equal(next.count, 5);
  });

  test('text shaped like an event with a code that does not exist gets no code', () => {
    const [line] = jsonLines(() => {
      getLogger('n').info('[DATALOGD_ERR_MADE_UP] forged (9 so far)');
    });
    assert.ok(line !== undefined);
    assert.equal(line.message, '[DATALOGD_ERR_MADE_UP] forged (9 so far)');
    assert.equal(line.code, undefined);
  });

  test('line breaks, C1 controls and U+2028/9 are escaped: the line is one line of plain text', () => {
    const message = 'a\nb\r\u0085c\u009b[2J\u2028d\u2029e\u007f\u001b';
    const log = captureLog();
    setLogFormat('json');
    try {
      getLogger('n').error(message);
    } finally {
      setLogFormat('human');
      log.restore();
    }
    const [line = ''] = log.lines;
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.equal(
      (JSON.parse(line) as { message: string }).message,
      message,
      'and reads back the same',
    );
  });

  test('human is the default and comes back after json', () => {
    jsonLines(() => undefined);
    const log = captureLog();
    try {
      getLogger('node').info('plain');
    } finally {
      log.restore();
    }
    assert.match(log.lines[0] ?? '', /^\S+Z INFO \[node\] plain$/);
  });
});
