import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrintDataSink } from '../../../../src/plugins/sinks/print.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

/**
 * Captures what is written to a process stream while `fn` runs. Synchronous on purpose: the
 * test runner reports on stdout, and nothing of it may be swallowed while `write` is replaced.
 */
function capture(stream: 'stdout' | 'stderr', fn: () => void): string[] {
  const chunks: string[] = [];
  const target = process[stream];
  const original = target.write;
  target.write = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  try {
    fn();
  } finally {
    target.write = original;
  }
  return chunks;
}

function makeSink(options: Record<string, unknown> = {}): PrintDataSink {
  return new PrintDataSink(PrintDataSink.optionsSchema.parse(options));
}

describe('PrintDataSink', () => {
  test('writes one JSON line per receipt to stdout, dates as ISO strings, NaN as null', async () => {
    const sink = makeSink();
    sink.start();
    const out = capture('stdout', () => {
      sink.receive([{ type: 'analog', id: 'randomwalk0', value: 1 }]);
      sink.receive([{ timestamp: new Date('2024-05-09T01:02:03.000Z'), value: NaN }]);
    });
    await sink.close();
    assert.deepEqual(out, [
      '[{"type":"analog","id":"randomwalk0","value":1}]\n',
      '[{"timestamp":"2024-05-09T01:02:03.000Z","value":null}]\n',
    ]);
  });

  test('nothing is dropped while the stream works', () => {
    const sink = makeSink();
    capture('stdout', () => {
      sink.receive([1]);
    });
    assert.deepEqual(sink.stats(), {
      dropped_output_closed: 0,
      dropped_output_stalled: 0,
      unencodable: 0,
    });
  });

  test('a receipt too deep to encode (5000 nested lists) is counted and skipped; output goes on', () => {
    const sink = makeSink();
    const deep: unknown = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    const out = capture('stdout', () => {
      sink.receive([1]);
      sink.receive(deep);
      sink.receive([2]);
      sink.receive(deep);
      sink.receive([3]);
    });
    assert.deepEqual(out, ['[1]\n', '[2]\n', '[3]\n']);
    assert.equal(sink.stats().unencodable, 2);
    assert.equal(sink.stats().dropped_output_closed, 0, 'the stream is not given up');
    const reports = log.current.withCode('DATALOGD_ERR_UNENCODABLE');
    assert.equal(reports.length, 2, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*skipped a receipt: it is nested too deeply/);
  });

  test('long integers are printed with every digit', () => {
    const sink = makeSink();
    const out = capture('stdout', () => {
      sink.receive({ t: 1715212800123456789n });
    });
    assert.deepEqual(out, ['{"t":1715212800123456789}\n']);
  });

  test('beyond buffer_bytes waiting in the stream, receipts are dropped, counted, and the resume said', () => {
    const sink = makeSink({ buffer_bytes: 1024 });
    const stdout = process.stdout as unknown as Record<string, unknown>;
    let out: string[] = [];
    try {
      // The stream as it is while its reader stalls: 4 KiB wait, a drain is to come.
      Object.defineProperty(stdout, 'writableLength', { value: 4096, configurable: true });
      Object.defineProperty(stdout, 'writableNeedDrain', { value: true, configurable: true });
      out = capture('stdout', () => {
        for (let i = 0; i < 5; i++) sink.receive([i]);
      });
      assert.deepEqual(out, []);
      assert.equal(sink.stats().dropped_output_stalled, 5);
      Object.defineProperty(stdout, 'writableLength', { value: 0, configurable: true });
      Object.defineProperty(stdout, 'writableNeedDrain', { value: false, configurable: true });
      out = capture('stdout', () => {
        process.stdout.emit('drain');
        sink.receive(['flows']);
      });
    } finally {
      delete stdout.writableLength;
      delete stdout.writableNeedDrain;
    }
    assert.deepEqual(out, ['["flows"]\n']);
    const lines = log.current.withCode('DATALOGD_ERR_PRINT_STALLED');
    assert.match(lines[0] ?? '', / WARNING .*stdout is not read fast enough.*\(1 so far\)/);
    assert.match(
      lines.at(-1) ?? '',
      /stdout is read again; 5 receipts \(20 bytes\) were dropped while it was not/,
    );
  });

  test('end=None means a newline, as in Python', () => {
    assert.equal(PrintDataSink.optionsSchema.parse({ end: null }).end, '\n');
    assert.equal(PrintDataSink.optionsSchema.parse({}).end, '\n');
  });

  test('text is printed as it is, not JSON-quoted; end and stream are honoured', () => {
    const sink = makeSink({ end: '|', stream: 'stderr' });
    const err = capture('stderr', () => {
      sink.receive('a,b\n1,2');
      sink.receive(null);
    });
    assert.deepEqual(err, ['a,b\n1,2|', 'null|']);
  });

  test('a failing stream stops the output instead of throwing', () => {
    const sink = makeSink();
    let calls = 0;
    const out = capture('stdout', () => {
      const original = process.stdout.write;
      process.stdout.write = () => {
        calls += 1;
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      };
      try {
        assert.doesNotThrow(() => {
          sink.receive([1]);
          sink.receive([2]);
        });
      } finally {
        process.stdout.write = original;
      }
    });
    assert.equal(calls, 1);
    assert.deepEqual(out, []);
    assert.equal(sink.stats().dropped_output_closed, 2, 'the failed receipt and the next one');
    const reports = log.current.withCode('DATALOGD_ERR_PRINT_CLOSED');
    assert.equal(reports.length, 2, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*stdout \(write EPIPE\).*\(1 so far\)/);
  });

  test('while started, an error event of the stream (EPIPE) is heard and ends the output', async () => {
    const sink = makeSink();
    const before = process.stdout.listeners('error');
    sink.start();
    const added = process.stdout.listeners('error').filter((l) => !before.includes(l));
    assert.equal(added.length, 1);
    // Called directly: emitting on the real stdout would disturb the test runner's report.
    assert.doesNotThrow(() => {
      (added[0] as (err: Error) => void)(new Error('write EPIPE'));
    });
    const out = capture('stdout', () => {
      sink.receive([1]);
    });
    assert.deepEqual(out, []);
    assert.equal(sink.stats().dropped_output_closed, 1, 'what could not be written is counted');
    assert.equal(log.current.withCode('DATALOGD_ERR_PRINT_CLOSED').length, 1);
    await sink.close();
    assert.equal(process.stdout.listeners('error').length, before.length);
  });
});
