import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setLogLevel, setLogWriter, type LogWriter } from '../../../../src/core/log.js';
import { LoggingDataSink } from '../../../../src/plugins/sinks/logging.js';

let lines: string[] = [];
let previous: LogWriter;
before(() => {
  previous = setLogWriter((line) => lines.push(line));
});
after(() => {
  setLogWriter(previous);
  setLogLevel('info');
});
beforeEach(() => {
  lines = [];
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
    assert.deepEqual(lines.map(strip), [
      'INFO [console] Data received:',
      'INFO [console]   {"type":"analog","id":"randomwalk0","value":1}',
      'INFO [console]   {"timestamp":"2024-05-09T00:00:00.000Z"}',
    ]);
  });

  test('uses the level, given as a Python number or a name', () => {
    makeSink({ level: 30, header: '', indent: '> ' }).receive({ a: 1 });
    makeSink({ level: 'ERROR', header: 'H' }).receive('text');
    assert.deepEqual(lines.map(strip), [
      'WARNING [console] > {"a":1}',
      'ERROR [console] H',
      'ERROR [console]   text',
    ]);
  });

  test('below the log threshold nothing is logged', () => {
    makeSink({ level: 'debug' }).receive([1]);
    assert.deepEqual(lines, []);
    setLogLevel('debug');
    makeSink({ level: 10 }).receive([1]);
    assert.deepEqual(lines.map(strip), ['DEBUG [console] Data received:', 'DEBUG [console]   1']);
  });

  test('ignores null and empty lists', () => {
    const sink = makeSink();
    sink.receive(null);
    sink.receive(undefined);
    sink.receive([]);
    assert.deepEqual(lines, []);
  });

  test('an unknown level is a schema error', () => {
    assert.equal(LoggingDataSink.optionsSchema.safeParse({ level: 'loud' }).success, false);
    assert.equal(LoggingDataSink.optionsSchema.parse({}).level, 'info');
  });
});
