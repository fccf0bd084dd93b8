import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { setLogLevel } from '../../../../src/core/log.js';
import { LoggingDataSink } from '../../../../src/plugins/sinks/logging.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

// What this sink logs is its output, so these tests read the log lines themselves.
const log = captureLogEachTest();
after(() => {
  setLogLevel('info');
});
beforeEach(() => {
  setLogLevel('info');
});

function makeSink(options: Record<string, unknown> = {}): LoggingDataSink {
  const sink = new LoggingDataSink(LoggingDataSink.optionsSchema.parse(options));
  sink.nodeName = 'console';
  return sink;
}

/** The log line without its time stamp. */
function strip(line: string): string {
  return line.replace(/^\S+ /, '');
}

describe('LoggingDataSink', () => {
  test('logs the header and one JSON line per item at INFO by default', () => {
    makeSink().receive([
      { type: 'analog', id: 'randomwalk0', value: 1 },
      { timestamp: new Date('2024-05-09T00:00:00.000Z') },
    ]);
    assert.deepEqual(log.current.lines.map(strip), [
      'INFO [console] Data received:',
      'INFO [console]   {"type":"analog","id":"randomwalk0","value":1}',
      'INFO [console]   {"timestamp":"2024-05-09T00:00:00.000Z"}',
    ]);
  });

  test('uses the level, given as a Python number or a name', () => {
    makeSink({ level: 30, header: '', indent: '> ' }).receive({ a: 1 });
    makeSink({ level: 'ERROR', header: 'H' }).receive('text');
    assert.deepEqual(log.current.lines.map(strip), [
      'WARNING [console] > {"a":1}',
      'ERROR [console] H',
      'ERROR [console]   text',
    ]);
  });

  test('below the log threshold nothing is logged', () => {
    makeSink({ level: 'debug' }).receive([1]);
    assert.deepEqual(log.current.lines, []);
    setLogLevel('debug');
    makeSink({ level: 10 }).receive([1]);
    assert.deepEqual(log.current.lines.map(strip), [
      'DEBUG [console] Data received:',
      'DEBUG [console]   1',
    ]);
  });

  test('ignores null and empty lists', () => {
    const sink = makeSink();
    sink.receive(null);
    sink.receive(undefined);
    sink.receive([]);
    assert.deepEqual(log.current.lines, []);
  });

  test('line breaks and control characters in the data are escaped: one item, one log line', () => {
    makeSink().receive([
      'hello\n2026-01-01T00:00:00.000Z ERROR [x] forged',
      'cr\rcsi\u009b2Jesc\u001b[2Jsep\u2028par\u2029',
      { text: 'in json\n\u2028\u0085' },
    ]);
    assert.deepEqual(log.current.lines.map(strip), [
      'INFO [console] Data received:',
      'INFO [console]   hello\\n2026-01-01T00:00:00.000Z ERROR [x] forged',
      'INFO [console]   cr\\rcsi\\x9b2Jesc\\x1b[2Jsep\\u2028par\\u2029',
      'INFO [console]   {"text":"in json\\n\\u2028\\x85"}',
    ]);
    for (const line of log.current.lines) {
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
  });

  test('an item that cannot be encoded is counted and skipped; the others are logged', () => {
    const sink = makeSink({ header: '' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    sink.receive([1, cyclic, 2]);
    assert.deepEqual(log.current.lines.filter((l) => !l.includes('[DATALOGD_ERR_')).map(strip), [
      'INFO [console]   1',
      'INFO [console]   2',
    ]);
    assert.equal(sink.stats().unencodable, 1);
    assert.match(log.current.withCode('DATALOGD_ERR_UNENCODABLE')[0] ?? '', /a cycle/);
  });

  test('an unknown level is a schema error', () => {
    assert.equal(LoggingDataSink.optionsSchema.safeParse({ level: 'loud' }).success, false);
    assert.equal(LoggingDataSink.optionsSchema.parse({}).level, 'info');
  });
});
