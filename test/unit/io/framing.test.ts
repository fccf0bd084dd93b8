import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionFramer, DelimiterFramer } from '../../../src/io/framing.js';

/** Everything a framer reported, in order, as readable strings. */
interface Run {
  readonly events: string[];
  readonly messages: Buffer[];
  readonly framer: DelimiterFramer;
}

function makeFramer(delimiter: Buffer | string, maxMessageBytes = 1000): Run {
  const events: string[] = [];
  const messages: Buffer[] = [];
  const framer = new DelimiterFramer({
    delimiter: typeof delimiter === 'string' ? Buffer.from(delimiter) : delimiter,
    maxMessageBytes,
    onMessage: (message) => {
      messages.push(message);
      events.push(`msg:${message.toString('latin1')}`);
    },
    onOversize: (bytes) => events.push(`oversize:${bytes}`),
    onEmpty: () => events.push('empty'),
  });
  return { events, messages, framer };
}

/** Pushes `chunks` (fresh copies, as a socket delivers) then ends the stream. */
function feed(run: Run, chunks: readonly Buffer[]): string[] {
  for (const chunk of chunks) run.framer.push(Buffer.from(chunk));
  const last = run.framer.end();
  if (last !== undefined) run.events.push(`end:${last.toString('latin1')}`);
  return run.events;
}

function frame(
  stream: Buffer,
  delimiter: string,
  max: number,
  chunks: readonly Buffer[] = [stream],
): string[] {
  return feed(makeFramer(delimiter, max), chunks);
}

/** Straightforward reference: split the whole stream at once. */
function reference(stream: Buffer, delimiter: string, max: number): string[] {
  const delim = Buffer.from(delimiter);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const at = stream.indexOf(delim, start);
    if (at === -1) break;
    const message = stream.subarray(start, at);
    if (message.length === 0) out.push('empty');
    else if (message.length > max) out.push(`oversize:${message.length}`);
    else out.push(`msg:${message.toString('latin1')}`);
    start = at + delim.length;
  }
  const rest = stream.subarray(start);
  if (rest.length > max) out.push(`oversize:${rest.length}`);
  else if (rest.length > 0) out.push(`end:${rest.toString('latin1')}`);
  return out;
}

function splits2(stream: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i <= stream.length; i++) out.push([stream.subarray(0, i), stream.subarray(i)]);
  return out;
}

function splits3(stream: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i <= stream.length; i++) {
    for (let j = i; j <= stream.length; j++) {
      out.push([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
    }
  }
  return out;
}

function bytewise(stream: Buffer): Buffer[] {
  return Array.from(stream, (byte) => Buffer.from([byte]));
}

const ETB = '\x17';

interface Case {
  readonly name: string;
  readonly stream: string;
  readonly delimiter: string;
  readonly max: number;
  readonly expected: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: 'three messages, 0x17',
    stream: `[{"id":"a","value":1}]${ETB}second${ETB}3${ETB}`,
    delimiter: ETB,
    max: 100,
    expected: ['msg:[{"id":"a","value":1}]', 'msg:second', 'msg:3'],
  },
  {
    name: 'three messages with trailing bytes',
    stream: `one${ETB}two${ETB}three${ETB}tail`,
    delimiter: ETB,
    max: 100,
    expected: ['msg:one', 'msg:two', 'msg:three', 'end:tail'],
  },
  {
    name: 'CR LF delimiter',
    stream: 'alpha\r\nbeta\r\n\r\ngamma\r\n',
    delimiter: '\r\n',
    max: 100,
    expected: ['msg:alpha', 'msg:beta', 'empty', 'msg:gamma'],
  },
  {
    name: 'lone CR inside a CR LF message',
    stream: 'a\rb\r\n\rc\r\nd\r',
    delimiter: '\r\n',
    max: 100,
    expected: ['msg:a\rb', 'msg:\rc', 'end:d\r'],
  },
  {
    name: 'three-byte delimiter with partial lookalikes',
    stream: 'x<<<|y<|<<<|<<<|z<<',
    delimiter: '<<|',
    max: 100,
    expected: ['msg:x<', 'msg:y<|<', 'msg:<', 'end:z<<'],
  },
  {
    name: 'self-overlapping delimiter',
    stream: 'xaaayaab',
    delimiter: 'aa',
    max: 100,
    expected: ['msg:x', 'msg:ay', 'end:b'],
  },
  {
    name: 'empty messages',
    stream: `${ETB}${ETB}a${ETB}${ETB}`,
    delimiter: ETB,
    max: 100,
    expected: ['empty', 'empty', 'msg:a', 'empty'],
  },
  {
    name: 'oversize between good messages',
    stream: `ok${ETB}${'x'.repeat(25)}${ETB}good${ETB}`,
    delimiter: ETB,
    max: 10,
    expected: ['msg:ok', 'oversize:25', 'msg:good'],
  },
  {
    name: 'oversize with a CR LF delimiter',
    stream: `ok\r\n${'x'.repeat(25)}\r\ngood\r\n`,
    delimiter: '\r\n',
    max: 10,
    expected: ['msg:ok', 'oversize:25', 'msg:good'],
  },
  {
    name: 'CR LF at the limit: 10 bytes and a CR held are not yet oversize',
    stream: '0123456789\r\n01234567890\r\n0123456789\r',
    delimiter: '\r\n',
    max: 10,
    expected: ['msg:0123456789', 'oversize:11', 'oversize:11'],
  },
  {
    name: 'oversize trailing bytes at end',
    stream: `ok${ETB}${'y'.repeat(12)}`,
    delimiter: ETB,
    max: 10,
    expected: ['msg:ok', 'oversize:12'],
  },
];

describe('DelimiterFramer: every split point gives the same result', () => {
  for (const c of CASES) {
    const stream = Buffer.from(c.stream, 'latin1');
    test(c.name, () => {
      assert.deepEqual(reference(stream, c.delimiter, c.max), c.expected, 'reference');
      assert.deepEqual(frame(stream, c.delimiter, c.max), c.expected, 'one chunk');
      assert.deepEqual(frame(stream, c.delimiter, c.max, bytewise(stream)), c.expected, 'bytes');
      for (const chunks of splits2(stream)) {
        const at = chunks[0]!.length;
        assert.deepEqual(frame(stream, c.delimiter, c.max, chunks), c.expected, `split ${at}`);
      }
      for (const chunks of splits3(stream)) {
        const label = `split ${chunks[0]!.length}+${chunks[1]!.length}`;
        assert.deepEqual(frame(stream, c.delimiter, c.max, chunks), c.expected, label);
      }
    });
  }
});

describe('DelimiterFramer', () => {
  test('several messages in one chunk are delivered in order', () => {
    const run = makeFramer(ETB);
    run.framer.push(Buffer.from(`a${ETB}bb${ETB}ccc${ETB}dd`));
    assert.deepEqual(run.events, ['msg:a', 'msg:bb', 'msg:ccc']);
    assert.equal(run.framer.bufferedBytes, 2);
    run.framer.push(Buffer.from(`d${ETB}`));
    assert.deepEqual(run.events.at(-1), 'msg:ddd');
    assert.equal(run.framer.bufferedBytes, 0);
  });

  test('a multi-byte UTF-8 character split across reads survives', () => {
    const text = '[{"units":"°C","name":"€ 😀"}]';
    const stream = Buffer.concat([Buffer.from(text), Buffer.from([0x17])]);
    for (const chunks of [...splits2(stream), bytewise(stream)]) {
      const run = makeFramer(ETB);
      feed(run, chunks);
      assert.equal(run.messages.length, 1);
      assert.equal(run.messages[0]!.toString('utf8'), text);
    }
  });

  test('delivered messages stay intact after later pushes', () => {
    const run = makeFramer('\r\n');
    const chunks = ['ab', 'c\r', '\nde', 'f\r\ng', 'h\r', '\n'];
    for (const chunk of chunks) run.framer.push(Buffer.from(chunk));
    assert.deepEqual(
      run.messages.map((m) => m.toString()),
      ['abc', 'def', 'gh'],
    );
  });

  test('an oversize message over many chunks is dropped whole and memory stays bounded', () => {
    const max = 64;
    const run = makeFramer('\r\n', max);
    const big = Buffer.alloc(10_000, 0x78);
    const stream = Buffer.concat([Buffer.from('before\r\n'), big, Buffer.from('\r\nafter\r\n')]);
    for (const size of [1, 3, 7, 50, 64, 65, 1000]) {
      run.events.length = 0;
      let largestChunk = 0;
      for (let i = 0; i < stream.length; i += size) {
        const chunk = Buffer.from(stream.subarray(i, i + size));
        largestChunk = Math.max(largestChunk, chunk.length);
        run.framer.push(chunk);
        assert.ok(
          run.framer.bufferedBytes <= max + 1,
          `held ${run.framer.bufferedBytes} bytes with chunks of ${size}`,
        );
        assert.ok(run.framer.bufferedBytes <= max + largestChunk);
      }
      assert.equal(run.framer.end(), undefined);
      assert.deepEqual(run.events, ['msg:before', 'oversize:10000', 'msg:after'], `size ${size}`);
    }
  });

  test('reports discarding while an oversize message streams in', () => {
    const run = makeFramer(ETB, 4);
    run.framer.push(Buffer.from('abcd'));
    assert.equal(run.framer.discarding, false);
    run.framer.push(Buffer.from('e'));
    assert.equal(run.framer.discarding, true);
    assert.equal(run.framer.bufferedBytes, 0);
    run.framer.push(Buffer.from(`fg${ETB}ok${ETB}`));
    assert.equal(run.framer.discarding, false);
    assert.deepEqual(run.events, ['oversize:7', 'msg:ok']);
  });

  test('end() returns trailing bytes once and resets', () => {
    const run = makeFramer(ETB);
    run.framer.push(Buffer.from(`a${ETB}par`));
    run.framer.push(Buffer.from('tial'));
    assert.equal(run.framer.end()?.toString(), 'partial');
    assert.equal(run.framer.end(), undefined);
    assert.equal(run.framer.bufferedBytes, 0);
    run.framer.push(Buffer.from(`next${ETB}`));
    assert.deepEqual(run.events, ['msg:a', 'msg:next']);
  });

  test('end() forgets a partial multi-byte delimiter carried from the last stream', () => {
    const run = makeFramer('\r\n');
    run.framer.push(Buffer.from('x\r'));
    assert.equal(run.framer.end()?.toString(), 'x\r');
    run.framer.push(Buffer.from('\ny\r\n'));
    assert.deepEqual(run.events, ['msg:\ny']);
  });

  test('a message in many small chunks arrives whole and every byte is scanned once', () => {
    const message = Buffer.alloc(20_000, 0x61);
    const stream = Buffer.concat([message, Buffer.from('\r\n'), message, Buffer.from('\r\n')]);
    let scanned = 0;
    /** A chunk that counts the bytes the framer searches in it. */
    const counted = (chunk: Buffer): Buffer => {
      const search = chunk.indexOf.bind(chunk);
      // The framer only calls indexOf(value, from); the cast covers the other overload.
      chunk.indexOf = ((value: number | Uint8Array, from?: number) => {
        scanned += chunk.length - (from ?? 0);
        return search(value, from);
      }) as Buffer['indexOf'];
      return chunk;
    };
    const run = makeFramer('\r\n', 50_000);
    for (let i = 0; i < stream.length; i += 3) {
      run.framer.push(counted(stream.subarray(i, i + 3)));
    }
    assert.equal(run.messages.length, 2);
    assert.ok(run.messages.every((m) => m.equals(message)));
    assert.ok(scanned <= stream.length, `scanned ${scanned} bytes of ${stream.length}`);
  });

  test('a single-byte delimiter delivers views of the chunk when nothing is pending', () => {
    const run = makeFramer(ETB);
    const chunk = Buffer.from(`ab${ETB}cd${ETB}`);
    run.framer.push(chunk);
    assert.equal(run.messages[0]!.buffer, chunk.buffer);
    assert.equal(run.messages[1]!.toString(), 'cd');
  });

  test('rejects an empty delimiter and a bad limit', () => {
    const callbacks = { onMessage: () => undefined, onOversize: () => undefined, onEmpty: () => 0 };
    assert.throws(
      () => new DelimiterFramer({ delimiter: Buffer.alloc(0), maxMessageBytes: 1, ...callbacks }),
      RangeError,
    );
    assert.throws(
      () => new DelimiterFramer({ delimiter: Buffer.from('\n'), maxMessageBytes: 0, ...callbacks }),
      RangeError,
    );
  });

  test('state stays consistent when a callback throws', () => {
    let calls = 0;
    const seen: string[] = [];
    const framer = new DelimiterFramer({
      delimiter: Buffer.from('\n'),
      maxMessageBytes: 100,
      onMessage: (m) => {
        calls++;
        if (calls === 1) throw new Error('sink failed');
        seen.push(m.toString());
      },
      onOversize: () => undefined,
      onEmpty: () => undefined,
    });
    framer.push(Buffer.from('pa'));
    assert.throws(() => {
      framer.push(Buffer.from('rt\nlost\n'));
    }, /sink failed/);
    framer.push(Buffer.from('next\n'));
    assert.deepEqual(seen, ['next']);
  });
});

describe('ConnectionFramer', () => {
  test('joins every chunk into one message at end()', () => {
    const framer = new ConnectionFramer({ maxMessageBytes: 100 });
    for (const part of ['[{"a":', '1}', ']']) assert.equal(framer.push(Buffer.from(part)), true);
    assert.equal(framer.bufferedBytes, 9);
    assert.equal(framer.end()?.toString(), '[{"a":1}]');
    assert.equal(framer.receivedBytes, 0);
  });

  test('a connection with no bytes yields nothing', () => {
    const framer = new ConnectionFramer({ maxMessageBytes: 100 });
    framer.push(Buffer.alloc(0));
    assert.equal(framer.end(), undefined);
  });

  test('past the limit it drops the bytes and says so', () => {
    const framer = new ConnectionFramer({ maxMessageBytes: 10 });
    assert.equal(framer.push(Buffer.from('0123456789')), true);
    assert.equal(framer.oversize, false);
    assert.equal(framer.push(Buffer.from('a')), false);
    assert.equal(framer.oversize, true);
    assert.equal(framer.bufferedBytes, 0);
    assert.equal(framer.push(Buffer.from('bcd')), false);
    assert.equal(framer.receivedBytes, 14);
    assert.equal(framer.end(), undefined);
    assert.equal(framer.oversize, false);
    assert.equal(framer.push(Buffer.from('fresh')), true);
    assert.equal(framer.end()?.toString(), 'fresh');
  });
});

/** Frames `chunks` with or without runs; runs are expanded, so both must read alike. */
function runEvents(chunks: readonly Buffer[], max: number, runs: boolean): string[] {
  const out: string[] = [];
  const framer = new DelimiterFramer({
    delimiter: Buffer.from(ETB, 'latin1'),
    maxMessageBytes: max,
    onMessage: (m) => out.push(`msg:${m.toString('latin1')}`),
    onOversize: (bytes) => out.push(`oversize:${bytes}`),
    onEmpty: () => out.push('empty'),
    ...(runs
      ? {
          onRun: (run: Buffer, count: number) => {
            const parts = run.toString('latin1').split('\x17');
            assert.equal(parts.length, count, 'count matches the messages in the run');
            for (const p of parts) out.push(`msg:${p}`);
          },
        }
      : {}),
  });
  for (const chunk of chunks) framer.push(Buffer.from(chunk));
  const last = framer.end();
  if (last !== undefined) out.push(`end:${last.toString('latin1')}`);
  return out;
}

const runStream = Buffer.concat([
  Buffer.from('{"a":1}\x17{"b":2}\x17\x17'),
  Buffer.from('x'.repeat(30)),
  Buffer.from('\x17{"u":"°C"}\x17{"c":3}\x17tail'),
]);

describe('DelimiterFramer with onRun', () => {
  test('whole stream: the same messages, in the same order, as without runs', () => {
    assert.deepEqual(runEvents([runStream], 20, true), runEvents([runStream], 20, false));
  });

  test('every split into two chunks, and byte by byte', () => {
    const expected = runEvents([runStream], 20, false);
    for (let i = 0; i <= runStream.length; i++) {
      assert.deepEqual(
        runEvents([runStream.subarray(0, i), runStream.subarray(i)], 20, true),
        expected,
        `split at ${i}`,
      );
    }
    const bytes = Array.from(runStream, (b) => Buffer.from([b]));
    assert.deepEqual(runEvents(bytes, 20, true), expected);
  });

  test('messages in one chunk arrive as one run', () => {
    const runs: number[] = [];
    const framer = new DelimiterFramer({
      delimiter: Buffer.from(ETB, 'latin1'),
      maxMessageBytes: 100,
      onMessage: () => runs.push(1),
      onOversize: () => undefined,
      onEmpty: () => undefined,
      onRun: (_run, count) => runs.push(count),
    });
    framer.push(Buffer.from('a\x17b\x17c\x17d'));
    assert.deepEqual(runs, [3]);
  });
});
