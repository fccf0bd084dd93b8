import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { Backoff } from '../../../src/core/backoff.js';
import { DataSink, type ReportProblem } from '../../../src/core/node.js';
import {
  BatchWriter,
  WriteFailure,
  asWriteFailure,
  type BatchTransport,
  type BatchWriterEvents,
  type BatchWriterOptions,
} from '../../../src/io/batch-writer.js';
import { captureLogEachTest } from '../../helpers/log-capture.js';

type Outcome = 'ok' | 'down' | 'hang' | Error;

/** A transport whose replies the test scripts; it records every request. */
class FakeTransport implements BatchTransport<string> {
  readonly target = 'fake server';
  readonly writes: string[][] = [];
  /** Lines of the requests that succeeded. */
  readonly delivered: string[] = [];
  prepares = 0;
  closed = 0;
  outcome: Outcome = 'ok';
  prepareOutcome: Outcome = 'ok';

  write(batch: readonly string[], signal: AbortSignal): Promise<void> {
    const lines = [...batch];
    this.writes.push(lines);
    if (this.outcome === 'ok') this.delivered.push(...lines);
    return respond(this.outcome, signal);
  }

  close(): void {
    this.closed += 1;
  }
}

/** The same, with a `prepare` step (like the 1.x CREATE DATABASE). */
class PreparingTransport extends FakeTransport {
  prepare(signal: AbortSignal): Promise<void> {
    this.prepares += 1;
    return respond(this.prepareOutcome, signal);
  }
}

function respond(outcome: Outcome, signal: AbortSignal): Promise<void> {
  if (outcome === 'ok') return Promise.resolve();
  if (outcome === 'down') {
    return Promise.reject(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
  }
  if (outcome === 'hang') {
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    });
  }
  return Promise.reject(outcome);
}

/** What an HTTP transport makes of a status (the table is in the InfluxDB transport test). */
function failure(kind: WriteFailure['kind'], status: number, body = '', needsPrepare = false) {
  return new WriteFailure(`HTTP ${status}${body === '' ? '' : `: ${body}`}`, {
    kind,
    status,
    needsPrepare,
  });
}

/** Lets promise chains run; setImmediate is not mocked. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const EVENTS: BatchWriterEvents = {
  bufferFull: 'DATALOGD_ERR_INFLUX_BUFFER_FULL',
  refused: 'DATALOGD_ERR_INFLUX_REFUSED',
  failed: 'DATALOGD_ERR_INFLUX_WRITE_FAILED',
  unsentAtClose: 'DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE',
};

/**
 * The node that owns a writer, as a sink does: its counters and its report path are the
 * real ones, so the tests read what `stats()` and the log would show.
 */
class WriterHost extends DataSink {
  writer: BatchWriter<string> | undefined;
  readonly counts = this.counters('points_written');
  readonly recoveries: [number, number][] = [];

  constructor() {
    super();
    this.nodeName = 'writer-test';
    this.declareEvents(EVENTS.bufferFull, EVENTS.refused, EVENTS.failed, EVENTS.unsentAtClose);
  }

  get problems(): ReportProblem {
    return this.reporter;
  }

  protected override gauges(): Record<string, number> {
    return {
      points_buffered: this.writer?.buffered ?? 0,
      buffered_bytes: this.writer?.bufferedBytes ?? 0,
    };
  }
}

let host: WriterHost;
const log = captureLogEachTest();

function makeWriter(
  transport: FakeTransport,
  overrides: Partial<BatchWriterOptions<string>> = {},
): BatchWriter<string> {
  host = new WriterHost();
  const counts = host.counts;
  host.writer = new BatchWriter<string>({
    transport,
    report: host.problems,
    events: EVENTS,
    noun: 'point',
    sizeOf: (line) => Buffer.byteLength(line) + 1,
    written: (count) => {
      counts.points_written += count;
    },
    recovered: (failedForMs, stillBuffered) => {
      host.recoveries.push([failedForMs, stillBuffered]);
    },
    batchSize: 3,
    flushIntervalMs: 1000,
    bufferItems: 100,
    bufferBytes: 100_000,
    requestTimeoutMs: 5000,
    closeTimeoutMs: 2000,
    // random() = 1: every pause is the ceiling, 100, 200, 400, 400 ms.
    backoff: new Backoff({ minMs: 100, maxMs: 400, random: () => 1 }),
    ...overrides,
  });
  return host.writer;
}

/** The writer's counters and gauges, as its node's `stats()` shows them. */
function stats(): Record<string, number | undefined> {
  return host.stats();
}

describe('BatchWriter', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  test('a full batch is written at once', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c', 'd']) writer.add(line);
    await settle();
    assert.deepEqual(transport.writes, [['a', 'b', 'c']]);
    assert.equal(stats().points_written, 3);
    assert.equal(stats().points_buffered, 1);
    await closeNow(writer);
  });

  test('a partial batch waits for the flush interval, measured from its oldest line', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    writer.add('a');
    mock.timers.tick(500);
    writer.add('b');
    await settle();
    mock.timers.tick(499);
    await settle();
    assert.deepEqual(transport.writes, []);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(transport.writes, [['a', 'b']]);
    await closeNow(writer);
  });

  test('while the server is down lines are kept, retried with growing pauses, and arrive once, in order', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    assert.equal(transport.writes.length, 1);
    for (const pause of [100, 200, 400, 400]) {
      mock.timers.tick(pause - 1);
      await settle();
      const count: number = transport.writes.length;
      mock.timers.tick(1);
      await settle();
      assert.equal(transport.writes.length, count + 1, `a retry after ${pause} ms`);
    }
    writer.add('d');
    transport.outcome = 'ok';
    mock.timers.tick(400);
    await settle();
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(transport.delivered, ['a', 'b', 'c', 'd']);
    const counters = stats();
    assert.equal(counters.points_written, 4);
    assert.equal(counters.write_failures, 5);
    assert.equal(counters.points_dropped, 0);
    assert.match(
      log.current.lines[0] ?? '',
      /WARNING \[writer-test\] \[DATALOGD_ERR_INFLUX_WRITE_FAILED\] .*fake server.*ECONNREFUSED.*\(1 so far\)/,
    );
    // Failing since the first attempt at t=0; the retry at 1500 ms wrote a, b, c; d waits.
    assert.deepEqual(host.recoveries, [[1500, 1]]);
    await closeNow(writer);
  });

  test('a partial batch that failed is retried after the backoff pause, not a new flush interval', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'hang';
    const writer = makeWriter(transport, { requestTimeoutMs: 200 });
    writer.start();
    writer.add('a');
    mock.timers.tick(1000);
    await settle();
    assert.equal(transport.writes.length, 1);
    // A line that arrives while the batch is out finds the buffer empty.
    mock.timers.tick(10);
    writer.add('b');
    transport.outcome = 'ok';
    mock.timers.tick(190);
    await settle();
    assert.equal(stats().write_failures, 1);
    mock.timers.tick(100);
    await settle();
    assert.deepEqual(transport.writes.at(-1), ['a', 'b']);
    await closeNow(writer);
  });

  test('a full buffer drops the oldest lines, counts them and warns', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const writer = makeWriter(transport, { bufferItems: 5, batchSize: 2 });
    writer.start();
    for (let i = 0; i < 8; i++) writer.add(`l${i}`);
    await settle();
    assert.equal(stats().points_dropped, 3);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_BUFFER_FULL').length, 3);
    transport.outcome = 'ok';
    mock.timers.tick(100);
    await settle();
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(transport.delivered, ['l3', 'l4', 'l5', 'l6', 'l7']);
    assert.equal(stats().points_written, 5);
    await closeNow(writer);
  });

  test('items of any type go out as they were queued, within byte limits their sizeOf sets', async () => {
    interface Row {
      readonly id: number;
      readonly value: string;
    }
    const batches: Row[][] = [];
    host = new WriterHost();
    const rows = new BatchWriter<Row>({
      transport: {
        target: 'fake table',
        write: (batch) => {
          batches.push([...batch]);
          return Promise.resolve();
        },
        close: () => undefined,
      },
      report: host.problems,
      events: EVENTS,
      noun: 'row',
      sizeOf: (row) => 10 + row.value.length,
      written: () => undefined,
      batchSize: 10,
      flushIntervalMs: 1000,
      bufferItems: 100,
      bufferBytes: 40,
      requestTimeoutMs: 5000,
      closeTimeoutMs: 2000,
      backoff: new Backoff({ minMs: 100, maxMs: 400 }),
    });
    for (let id = 0; id < 5; id++) rows.add({ id, value: 'x'.repeat(id) });
    // Sizes 10, 11, 12, 13, 14: the last three (39 bytes) fit in 40.
    assert.equal(rows.buffered, 3);
    assert.equal(rows.bufferedBytes, 39);
    assert.equal(host.stats().points_dropped, 2);
    assert.match(log.current.withCode('DATALOGD_ERR_INFLUX_BUFFER_FULL').at(-1) ?? '', /row/);
    rows.start();
    const closing = rows.close();
    await settle();
    mock.timers.tick(10_000);
    await closing;
    assert.deepEqual(
      batches.map((batch) => batch.map((row) => row.id)),
      [[2, 3, 4]],
    );
  });

  test('lines the server refuses (400) are counted and not retried', async () => {
    const transport = new FakeTransport();
    transport.outcome = failure('refused', 400, '{"error":"partial write: field type conflict"}');
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    mock.timers.tick(5000);
    await settle();
    assert.equal(transport.writes.length, 1);
    assert.equal(stats().points_rejected, 3);
    assert.equal(stats().points_buffered, 0);
    const [refusal, ...more] = log.current.withCode('DATALOGD_ERR_INFLUX_REFUSED');
    assert.match(refusal ?? '', /^.*ERROR .*HTTP 400.*field type conflict.*\(3 so far\)$/);
    assert.deepEqual(more, []);
    assert.equal(stats().write_failures, 0);
    await closeNow(writer);
  });

  test('unavailable (5xx, 429) and denied (401) failures are retried', async () => {
    for (const [kind, status] of [
      ['unavailable', 500],
      ['unavailable', 503],
      ['unavailable', 429],
      ['denied', 401],
    ] as const) {
      const transport = new FakeTransport();
      transport.outcome = failure(kind, status);
      const writer = makeWriter(transport);
      writer.start();
      for (const line of ['a', 'b', 'c']) writer.add(line);
      await settle();
      transport.outcome = 'ok';
      mock.timers.tick(100);
      await settle();
      assert.deepEqual(transport.writes, [
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ]);
      assert.equal(stats().points_written, 3);
      await closeNow(writer);
    }
  });

  test('prepare runs before the first write, is retried while the server is down, and again after "database not found"', async () => {
    const transport = new PreparingTransport();
    transport.prepareOutcome = 'down';
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    assert.equal(transport.prepares, 1);
    assert.equal(transport.writes.length, 0);
    transport.prepareOutcome = 'ok';
    mock.timers.tick(100);
    await settle();
    assert.equal(transport.prepares, 2);
    assert.deepEqual(transport.writes, [['a', 'b', 'c']]);

    transport.outcome = failure('denied', 404, '{"error":"database not found"}', true);
    for (const line of ['d', 'e', 'f']) writer.add(line);
    await settle();
    transport.outcome = 'ok';
    mock.timers.tick(100);
    await settle();
    assert.equal(transport.prepares, 3);
    assert.deepEqual(transport.writes.at(-1), ['d', 'e', 'f']);
    await closeNow(writer);
  });

  test('a prepare the server refuses (no right to create) is skipped with a warning', async () => {
    const transport = new PreparingTransport();
    transport.prepareOutcome = failure('denied', 403, 'not authorized');
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    assert.deepEqual(transport.writes, [['a', 'b', 'c']]);
    assert.match(
      log.current.withCode('DATALOGD_ERR_INFLUX_WRITE_FAILED')[0] ?? '',
      /WARNING .*HTTP 403: not authorized/,
    );
    assert.equal(stats().write_failures, 1);
    await closeNow(writer);
  });

  test('a request with no reply is abandoned after the request timeout and retried', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'hang';
    const writer = makeWriter(transport, { requestTimeoutMs: 3000 });
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    transport.outcome = 'ok';
    mock.timers.tick(3000);
    await settle();
    assert.equal(stats().write_failures, 1);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_WRITE_FAILED').length, 1);
    mock.timers.tick(100);
    await settle();
    assert.equal(transport.writes.length, 2);
    assert.equal(stats().points_written, 3);
    await closeNow(writer);
  });

  test('close writes a partial batch at once and closes the transport', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    writer.add('a');
    await settle();
    await writer.close();
    assert.deepEqual(transport.writes, [['a']]);
    assert.equal(transport.closed, 1);
    await writer.close();
    assert.equal(transport.closed, 1, 'close is idempotent');
  });

  test('close cuts a backoff pause short and retries at once', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const writer = makeWriter(transport, {
      backoff: new Backoff({ minMs: 60_000, maxMs: 60_000 }),
    });
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    transport.outcome = 'ok';
    await writer.close();
    assert.equal(transport.writes.length, 2);
    assert.equal(stats().points_written, 3);
    assert.equal(stats().points_unsent_at_close, 0);
  });

  test('close gives up after the close timeout, counts what is unsent and warns', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const writer = makeWriter(transport, { closeTimeoutMs: 2000 });
    writer.start();
    for (const line of ['a', 'b', 'c', 'd']) writer.add(line);
    await settle();
    let closed = false;
    const closing = writer.close().then(() => {
      closed = true;
    });
    for (let t = 0; t < 1900; t += 100) {
      mock.timers.tick(100);
      await settle();
    }
    assert.equal(closed, false);
    mock.timers.tick(100);
    await settle();
    await closing;
    assert.equal(stats().points_unsent_at_close, 4);
    assert.equal(stats().points_buffered, 0);
    assert.match(
      log.current.withCode('DATALOGD_ERR_INFLUX_UNSENT_AT_CLOSE').join('\n'),
      /^.*WARNING .*fake server.*\(4 so far\)$/,
    );
    assert.equal(transport.closed, 1);
  });

  test('close aborts a request in flight at the deadline', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'hang';
    const writer = makeWriter(transport, { closeTimeoutMs: 1000, requestTimeoutMs: 60_000 });
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    const closing = writer.close();
    mock.timers.tick(1000);
    await settle();
    await closing;
    assert.equal(stats().points_unsent_at_close, 3);
  });

  test('lines added after close are dropped and counted', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    await writer.close();
    writer.add('late');
    assert.equal(stats().points_dropped, 1);
    assert.equal(log.current.withCode('DATALOGD_ERR_INFLUX_BUFFER_FULL').length, 1);
    assert.deepEqual(transport.writes, []);
  });

  test('a writer closed before it started closes its transport and writes nothing', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    await writer.close();
    assert.equal(transport.closed, 1);
    assert.deepEqual(transport.writes, []);
  });
});

describe('BatchWriter with real timers', () => {
  test('leaves no timer behind after close, even when closed while the server is down', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const before = countTimeouts();
    const writer = makeWriter(transport, {
      closeTimeoutMs: 100,
      backoff: new Backoff({ minMs: 10, maxMs: 20 }),
    });
    writer.start();
    writer.add('a');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.ok(transport.writes.length >= 2, 'retried while down');
    await writer.close();
    assert.equal(countTimeouts(), before);
    assert.equal(stats().points_unsent_at_close, 1);
  });
});

function countTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Closes with the fake transport answering at once, under mocked timers. */
async function closeNow(writer: BatchWriter<string>): Promise<void> {
  const closing = writer.close();
  await settle();
  mock.timers.tick(10_000);
  await closing;
}

describe('asWriteFailure', () => {
  test('errors a transport did not classify are retried (the items are kept)', () => {
    const reset = asWriteFailure(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    );
    assert.equal(reset.retriable, true);
    assert.equal(reset.kind, 'unavailable');
    assert.equal(reset.message, 'ECONNRESET socket hang up');
    assert.equal(asWriteFailure('weird').retriable, true);
    assert.equal(asWriteFailure(new Error('')).message, 'request failed');
  });

  test('a WriteFailure is kept as it is', () => {
    const refused = new WriteFailure('HTTP 400', { kind: 'refused', status: 400 });
    assert.equal(asWriteFailure(refused), refused);
    assert.equal(refused.retriable, false);
  });
});
