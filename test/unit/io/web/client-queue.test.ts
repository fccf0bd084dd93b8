import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { RuntimeCode } from '../../../../src/core/errors.js';
import type { ReportOptions } from '../../../../src/core/node.js';
import { ClientQueue, type MessageSocket } from '../../../../src/io/web/client-queue.js';

/**
 * A socket double: `send` adds to `bufferedAmount`; `write(n)` is the peer reading n
 * messages (their bytes leave the buffer and their callbacks run, as `ws` does).
 */
class FakeSocket implements MessageSocket {
  bufferedAmount = 0;
  readyState = 1;
  terminated = false;
  readonly sent: string[] = [];
  readonly #pending: { bytes: number; callback: (err?: Error) => void }[] = [];

  send(data: string, callback: (err?: Error) => void): void {
    this.sent.push(data);
    const bytes = Buffer.byteLength(data);
    this.bufferedAmount += bytes;
    this.#pending.push({ bytes, callback });
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }

  /** The peer reads `count` messages. */
  write(count = Infinity): void {
    for (let i = 0; i < count; i++) {
      const next = this.#pending.shift();
      if (next === undefined) return;
      this.bufferedAmount -= next.bytes;
      next.callback();
    }
  }
}

function reports(): {
  report: (code: RuntimeCode, message: string, options?: ReportOptions) => number;
  seen: { code: RuntimeCode; message: string; count: number }[];
} {
  const seen: { code: RuntimeCode; message: string; count: number }[] = [];
  return {
    seen,
    report: (code, message, options) => {
      seen.push({ code, message, count: options?.count ?? 1 });
      return seen.length;
    },
  };
}

const LIMITS = { maxMessages: 4, maxBytes: 1000, highWaterBytes: 10, stallMs: 1000 };

/** A page's queue (a full queue disconnects) with the test limits. */
function pageQueue(socket: FakeSocket, report: ReturnType<typeof reports>['report']): ClientQueue {
  return new ClientQueue(socket, { ...LIMITS, whenFull: 'disconnect', report, describe: 'a page' });
}

/** Runs `body` with Node's mocked setTimeout, and always restores the real one. */
function withMockTimers(body: () => void): void {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    body();
  } finally {
    mock.timers.reset();
  }
}

test('hands messages to the socket only while its buffer is at or below the high-water mark', () => {
  const socket = new FakeSocket();
  const { report } = reports();
  const queue = pageQueue(socket, report);
  queue.push('aaaaaaaa'); // 8 bytes: sent, buffer 8
  queue.push('bbbbbbbb'); // buffer 8 <= 10: sent, buffer 16
  queue.push('cccccccc'); // buffer 16 > 10: waits
  assert.deepEqual(socket.sent, ['aaaaaaaa', 'bbbbbbbb']);
  assert.equal(queue.length, 1);
  assert.equal(queue.bytes, 8);
  socket.write(1); // buffer 8: the waiting message goes
  assert.deepEqual(socket.sent, ['aaaaaaaa', 'bbbbbbbb', 'cccccccc']);
  assert.equal(queue.length, 0);
  queue.stop();
});

test("'drop-oldest' keeps the newest messages within the limits and reports what it dropped", () => {
  const socket = new FakeSocket();
  socket.bufferedAmount = 100; // the peer reads nothing
  const { report, seen } = reports();
  const queue = new ClientQueue(socket, {
    ...LIMITS,
    whenFull: 'drop-oldest',
    report,
    describe: 'a watcher',
  });
  for (let i = 0; i < 10; i++) queue.push(`m${i}`);
  assert.equal(queue.length, 4);
  assert.deepEqual(socket.sent, []);
  const dropped = seen.filter((s) => s.code === 'DATALOGD_ERR_WEB_QUEUE_FULL');
  assert.equal(
    dropped.reduce((n, s) => n + s.count, 0),
    6,
  );
  socket.bufferedAmount = 0;
  queue.pump();
  assert.deepEqual(socket.sent, ['m6', 'm7', 'm8', 'm9']);
  queue.stop();
});

test("'disconnect' drops the client when its queue is full, and holds nothing after", () => {
  const socket = new FakeSocket();
  socket.bufferedAmount = 100;
  const { report, seen } = reports();
  const queue = pageQueue(socket, report);
  for (let i = 0; i < 5; i++) queue.push(`m${i}`);
  assert.equal(socket.terminated, true);
  assert.equal(queue.active, false);
  assert.equal(queue.length, 0);
  assert.deepEqual(
    seen.map((s) => s.code),
    ['DATALOGD_ERR_WEB_CLIENT_STALLED'],
  );
  queue.push('after');
  assert.equal(queue.length, 0, 'a dropped client queues nothing more');
});

test('the byte limit counts UTF-8 bytes', () => {
  const socket = new FakeSocket();
  socket.bufferedAmount = 100;
  const { report } = reports();
  const queue = new ClientQueue(socket, {
    ...LIMITS,
    maxBytes: 6,
    whenFull: 'drop-oldest',
    report,
    describe: 'a watcher',
  });
  queue.push('ééé'); // 6 bytes
  assert.equal(queue.bytes, 6);
  queue.push('x');
  assert.equal(queue.length, 1, 'the 6-byte message made room');
  queue.stop();
});

test('a socket that finishes no write for the stall time, with messages waiting, is dropped', () => {
  withMockTimers(() => {
    const socket = new FakeSocket();
    const { report, seen } = reports();
    const queue = pageQueue(socket, report);
    queue.push('0123456789ab'); // 12 bytes > mark once sent
    queue.push('waiting');
    mock.timers.tick(999);
    assert.equal(socket.terminated, false);
    mock.timers.tick(1);
    assert.equal(socket.terminated, true);
    assert.equal(seen[0]?.code, 'DATALOGD_ERR_WEB_CLIENT_STALLED');
    assert.match(seen[0].message, /a page stopped reading/);
  });
});

test('a socket over the mark with nothing waiting is dropped too: the feed paused, the reader did not come back', () => {
  withMockTimers(() => {
    const socket = new FakeSocket();
    const { report, seen } = reports();
    const queue = pageQueue(socket, report);
    queue.push('0123456789ab'); // 12 bytes, handed over at once: over the mark, queue empty
    assert.equal(queue.length, 0);
    mock.timers.tick(1000);
    assert.equal(socket.terminated, true);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.code, 'DATALOGD_ERR_WEB_CLIENT_STALLED');
  });
});

test('a socket at or below the mark is never dropped for stalling', () => {
  withMockTimers(() => {
    const socket = new FakeSocket();
    const { report, seen } = reports();
    const queue = pageQueue(socket, report);
    queue.push('0123456789'); // exactly the mark: an idle page that read nothing yet
    mock.timers.tick(10_000);
    assert.equal(socket.terminated, false);
    assert.equal(seen.length, 0);
    queue.stop();
  });
});

test('a slow reader that keeps finishing writes is not dropped, however long it stays above the mark', () => {
  withMockTimers(() => {
    const socket = new FakeSocket();
    const { report, seen } = reports();
    const queue = new ClientQueue(socket, {
      ...LIMITS,
      maxMessages: 1000,
      maxBytes: 100_000,
      whenFull: 'disconnect',
      report,
      describe: 'a page',
    });
    for (let i = 0; i < 50; i++) queue.push(`message-${i}-padding`);
    for (let second = 0; second < 20; second++) {
      mock.timers.tick(900);
      socket.write(1); // one message read per 0.9 s: slow, but moving
    }
    assert.equal(socket.terminated, false);
    assert.deepEqual(seen, []);
    queue.stop();
  });
});

test('`first` messages go before anything queued, pulled one at a time, and stop at undefined', () => {
  const socket = new FakeSocket();
  const { report } = reports();
  const backlog = ['h', 'b1', 'b2'];
  let pulls = 0;
  const queue = new ClientQueue(socket, {
    ...LIMITS,
    highWaterBytes: 2,
    whenFull: 'disconnect',
    report,
    describe: 'a page',
    first: () => {
      pulls += 1;
      return backlog.shift();
    },
  });
  queue.push('live');
  // The mark (2 bytes) lets 'h' and 'b1' out, then the buffer is full.
  assert.deepEqual(socket.sent, ['h', 'b1']);
  socket.write();
  assert.deepEqual(socket.sent, ['h', 'b1', 'b2', 'live']);
  const pullsAtEnd = pulls;
  queue.push('more');
  socket.write();
  assert.equal(pulls, pullsAtEnd, 'first() is not called again after it returned undefined');
  assert.deepEqual(socket.sent.slice(-1), ['more']);
  queue.stop();
});

test('stop() forgets what waits and leaves no timer behind', () => {
  withMockTimers(() => {
    const socket = new FakeSocket();
    const { report, seen } = reports();
    const queue = pageQueue(socket, report);
    queue.push('0123456789ab');
    queue.push('waiting');
    queue.stop();
    mock.timers.tick(10_000);
    assert.equal(socket.terminated, false, 'the stall timer was cleared');
    assert.equal(queue.length, 0);
    assert.deepEqual(seen, []);
  });
});

test('drop-oldest with a missed note: the note goes where the gap is, with the total missed', () => {
  const socket = new FakeSocket();
  const { report, seen } = reports();
  const queue = new ClientQueue(socket, {
    ...LIMITS,
    whenFull: 'drop-oldest',
    report,
    describe: 'a watcher',
    missedNote: (missed) => `missed ${missed}`,
  });
  queue.push('m0aaaaaaaaa'); // 11 bytes: sent, buffer over the mark
  for (let i = 1; i <= 6; i++) queue.push(`m${i}`); // 4 wait; m1 and m2 are dropped
  assert.equal(queue.missed, 2);
  assert.deepEqual(
    seen.map((s) => [s.code, s.count]),
    [
      ['DATALOGD_ERR_WEB_QUEUE_FULL', 1],
      ['DATALOGD_ERR_WEB_QUEUE_FULL', 1],
    ],
  );
  socket.write();
  assert.deepEqual(socket.sent, ['m0aaaaaaaaa', 'missed 2', 'm3', 'm4', 'm5', 'm6']);
  // One note per gap: with nothing dropped since, none more.
  queue.push('m7');
  socket.write();
  assert.deepEqual(socket.sent.slice(6), ['m7']);
  queue.stop();
});
