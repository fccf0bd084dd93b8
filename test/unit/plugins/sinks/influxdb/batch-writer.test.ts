import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { HttpError } from '@influxdata/influxdb-client';
import { Backoff } from '../../../../../src/core/backoff.js';
import { getLogger, setLogWriter, type LogWriter } from '../../../../../src/core/log.js';
import {
  BatchWriter,
  type BatchWriterOptions,
} from '../../../../../src/plugins/sinks/influxdb/batch-writer.js';
import type { LineTransport } from '../../../../../src/plugins/sinks/influxdb/transport.js';

type Outcome = 'ok' | 'down' | 'hang' | Error;

/** A transport whose replies the test scripts; it records every request. */
class FakeTransport implements LineTransport {
  readonly target = 'fake server';
  readonly writes: string[][] = [];
  /** Lines of the requests that succeeded. */
  readonly delivered: string[] = [];
  prepares = 0;
  closed = 0;
  outcome: Outcome = 'ok';
  prepareOutcome: Outcome = 'ok';

  write(body: string, signal: AbortSignal): Promise<void> {
    const lines = body.split('\n');
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

/** Lets promise chains run; setImmediate is not mocked. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

let logLines: string[] = [];
let previousWriter: LogWriter;

function makeWriter(
  transport: FakeTransport,
  overrides: Partial<BatchWriterOptions> = {},
): BatchWriter {
  return new BatchWriter({
    transport,
    log: getLogger('writer-test'),
    batchSize: 3,
    flushIntervalMs: 1000,
    bufferLines: 100,
    bufferBytes: 100_000,
    requestTimeoutMs: 5000,
    closeTimeoutMs: 2000,
    // random() = 1: every pause is the ceiling, 100, 200, 400, 400 ms.
    backoff: new Backoff({ minMs: 100, maxMs: 400, random: () => 1 }),
    ...overrides,
  });
}

describe('BatchWriter', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    logLines = [];
    previousWriter = setLogWriter((line) => logLines.push(line));
  });
  afterEach(() => {
    mock.timers.reset();
    setLogWriter(previousWriter);
  });

  test('a full batch is written at once', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c', 'd']) writer.add(line);
    await settle();
    assert.deepEqual(transport.writes, [['a', 'b', 'c']]);
    assert.equal(writer.stats().points_written, 3);
    assert.equal(writer.stats().points_buffered, 1);
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
    const stats = writer.stats();
    assert.equal(stats.points_written, 4);
    assert.equal(stats.write_failures, 5);
    assert.equal(stats.points_dropped, 0);
    assert.match(
      logLines[0] ?? '',
      /WARNING \[writer-test\] Cannot write to fake server: ECONNREFUSED/,
    );
    assert.ok(logLines.some((l) => /INFO .*Writing to fake server again/.test(l)));
    await closeNow(writer);
  });

  test('a full buffer drops the oldest lines, counts them and warns', async () => {
    const transport = new FakeTransport();
    transport.outcome = 'down';
    const writer = makeWriter(transport, { bufferLines: 5, batchSize: 2 });
    writer.start();
    for (let i = 0; i < 8; i++) writer.add(`l${i}`);
    await settle();
    assert.equal(writer.stats().points_dropped, 3);
    assert.ok(logLines.some((l) => /dropped the \d+ oldest point/.test(l)));
    transport.outcome = 'ok';
    mock.timers.tick(100);
    await settle();
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(transport.delivered, ['l3', 'l4', 'l5', 'l6', 'l7']);
    assert.equal(writer.stats().points_written, 5);
    await closeNow(writer);
  });

  test('lines the server refuses (400) are counted and not retried', async () => {
    const transport = new FakeTransport();
    transport.outcome = new HttpError(
      400,
      'Bad Request',
      '{"error":"partial write: field type conflict"}',
    );
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    mock.timers.tick(5000);
    await settle();
    assert.equal(transport.writes.length, 1);
    assert.equal(writer.stats().points_rejected, 3);
    assert.equal(writer.stats().points_buffered, 0);
    assert.ok(
      logLines.some((l) => /ERROR .*refused 3 point\(s\): HTTP 400.*field type conflict/.test(l)),
    );
    await closeNow(writer);
  });

  test('5xx and 429 are retried', async () => {
    for (const status of [500, 503, 429]) {
      const transport = new FakeTransport();
      transport.outcome = new HttpError(status, 'x', '');
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
      assert.equal(writer.stats().points_written, 3);
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

    transport.outcome = new HttpError(404, 'Not Found', '{"error":"database not found: \\"x\\""}');
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
    transport.prepareOutcome = new HttpError(403, 'Forbidden', 'not authorized');
    const writer = makeWriter(transport);
    writer.start();
    for (const line of ['a', 'b', 'c']) writer.add(line);
    await settle();
    assert.deepEqual(transport.writes, [['a', 'b', 'c']]);
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
    assert.equal(writer.stats().write_failures, 1);
    assert.ok(logLines.some((l) => /no reply within 3 s/.test(l)));
    mock.timers.tick(100);
    await settle();
    assert.equal(transport.writes.length, 2);
    assert.equal(writer.stats().points_written, 3);
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
    assert.equal(writer.stats().points_written, 3);
    assert.equal(writer.stats().points_unsent_at_close, 0);
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
    assert.equal(writer.stats().points_unsent_at_close, 4);
    assert.equal(writer.stats().points_buffered, 0);
    assert.ok(
      logLines.some((l) =>
        /4 point\(s\) could not be written to fake server before closing/.test(l),
      ),
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
    assert.equal(writer.stats().points_unsent_at_close, 3);
  });

  test('lines added after close are dropped and counted', async () => {
    const transport = new FakeTransport();
    const writer = makeWriter(transport);
    writer.start();
    await writer.close();
    writer.add('late');
    assert.equal(writer.stats().points_dropped, 1);
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
    assert.equal(writer.stats().points_unsent_at_close, 1);
  });
});

function countTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Closes with the fake transport answering at once, under mocked timers. */
async function closeNow(writer: BatchWriter): Promise<void> {
  const closing = writer.close();
  await settle();
  mock.timers.tick(10_000);
  await closing;
}
