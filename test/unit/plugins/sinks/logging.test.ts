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

  test('an unknown level is a schema error', () => {
    assert.equal(LoggingDataSink.optionsSchema.safeParse({ level: 'loud' }).success, false);
    assert.equal(LoggingDataSink.optionsSchema.parse({}).level, 'info');
  });
});
