import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatalogdError } from '../../../src/core/errors.js';
import {
  createDecoder,
  createEncoder,
  createRunDecoder,
  type DecodeResult,
  type EncodeResult,
} from '../../../src/io/codec.js';
import { DelimiterFramer } from '../../../src/io/framing.js';
import { parsePythonJson } from '../../../src/python/json.js';

const ETB = Buffer.from([0x17]);
const jsonUtf8 = createDecoder({ encoding: 'utf8', structure: 'json' });

/** The frame's bytes on the wire, whether the encoder kept it as text or bytes. */
function frameOf(result: EncodeResult): Buffer {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return typeof result.frame === 'string' ? Buffer.from(result.frame, 'utf8') : result.frame;
}

describe('createDecoder, json', () => {
  const pythonOutputs: readonly (readonly [string, string, unknown])[] = [
    [
      'a record list with NaN and an escaped degree sign',
      '[{"type": "temperature", "id": "A0", "value": NaN, "units": "\\u00b0C"}]',
      [{ type: 'temperature', id: 'A0', value: NaN, units: '°C' }],
    ],
    ['infinities', '{"a": Infinity, "b": -Infinity}', { a: Infinity, b: -Infinity }],
    ['an emoji as a surrogate pair escape', '"\\ud83d\\ude00"', '😀'],
    ['non-ASCII escapes', '["\\u00e9t\\u00e9", "\\u20ac", "\\u65e5\\u672c"]', ['été', '€', '日本']],
    ['NaN as a word inside a string stays text', '["NaN", "Infinity"]', ['NaN', 'Infinity']],
    [
      'Python separators',
      '[{"type": "analog", "id": "randomwalk0", "value": 1.5}]',
      [{ type: 'analog', id: 'randomwalk0', value: 1.5 }],
    ],
    [
      'our compact form',
      '[{"type":"analog","id":"randomwalk0","value":1.5}]',
      [{ type: 'analog', id: 'randomwalk0', value: 1.5 }],
    ],
  ];
  for (const [name, text, expected] of pythonOutputs) {
    test(`Python json.dumps: ${name}`, () => {
      assert.deepEqual(jsonUtf8(Buffer.from(text)), { kind: 'ok', data: expected });
    });
  }

  test('raw UTF-8 JSON decodes', () => {
    assert.deepEqual(jsonUtf8(Buffer.from('{"units":"°C"}')), {
      kind: 'ok',
      data: { units: '°C' },
    });
  });

  test('invalid UTF-8 forwards the raw bytes', () => {
    const bytes = Buffer.from([0x5b, 0x22, 0xe9, 0x22, 0x5d]);
    const result = jsonUtf8(bytes);
    assert.equal(result.kind, 'undecodable');
    assert.deepEqual(result.data, bytes);
  });

  test('text that is not JSON forwards the text', () => {
    for (const text of ['hello', '{"a": 1', 'nan', 'inf', "{'a': 1}"]) {
      assert.deepEqual(jsonUtf8(Buffer.from(text)), { kind: 'not-json', data: text });
    }
  });

  test('latin-1 JSON with a raw é', () => {
    const decode = createDecoder({ encoding: 'latin-1', structure: 'json' });
    assert.deepEqual(decode(Buffer.from([0x22, 0xe9, 0x22])), { kind: 'ok', data: 'é' });
  });

  test('ascii rejects 0xE9 and forwards the bytes', () => {
    const decode = createDecoder({ encoding: 'ascii', structure: 'json' });
    const bytes = Buffer.from([0x22, 0xe9, 0x22]);
    assert.deepEqual(decode(bytes), { kind: 'undecodable', data: bytes });
  });

  test('an unknown encoding is a configuration error', () => {
    assert.throws(
      () => createDecoder({ encoding: 'nope', structure: 'json' }),
      (err: unknown) => err instanceof DatalogdError && err.code === 'DATALOGD_ERR_OPTION_TYPE',
    );
  });
});

describe('createDecoder, none', () => {
  test('text is forwarded as a string, without JSON parsing', () => {
    const decode = createDecoder({ encoding: 'utf8', structure: 'none' });
    assert.deepEqual(decode(Buffer.from('[1, 2]')), { kind: 'ok', data: '[1, 2]' });
    const bad = Buffer.from([0xff]);
    assert.deepEqual(decode(bad), { kind: 'undecodable', data: bad });
  });

  test('utf-16 with a BOM', () => {
    const decode = createDecoder({ encoding: 'utf-16', structure: 'none' });
    assert.deepEqual(decode(Buffer.from([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00])), {
      kind: 'ok',
      data: 'hi',
    });
  });
});

describe('createEncoder, json', () => {
  const encode = createEncoder({ encoding: 'utf8', structure: 'json', delimiter: ETB });

  test('compact JSON followed by the delimiter in one buffer', () => {
    const frame = frameOf(encode([{ type: 'analog', id: 'randomwalk0', value: 1.5 }]));
    assert.equal(frame.toString(), '[{"type":"analog","id":"randomwalk0","value":1.5}]\x17');
  });

  test('non-ASCII text is sent as UTF-8', () => {
    assert.deepEqual(frameOf(encode({ u: '°C' })), Buffer.from('{"u":"°C"}\x17'));
  });

  test('Date becomes an ISO string, NaN and infinities null', () => {
    const when = new Date('2024-05-06T07:08:09.010Z');
    const frame = frameOf(encode([{ timestamp: when, value: NaN, hi: Infinity, lo: -Infinity }]));
    assert.equal(
      frame.toString(),
      '[{"timestamp":"2024-05-06T07:08:09.010Z","value":null,"hi":null,"lo":null}]\x17',
    );
  });

  test('integers beyond 2^53 travel digit for digit; cycles are unencodable', () => {
    assert.equal(
      frameOf(encode({ value: 2n ** 60n })).toString(),
      '{"value":1152921504606846976}\x17',
    );
    const ns = parsePythonJson('[{"timestamp":1733140000123456789}]');
    assert.equal(frameOf(encode(ns)).toString(), '[{"timestamp":1733140000123456789}]\x17');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const cyclic = encode([cycle]);
    assert.equal(cyclic.kind, 'unencodable');
    assert.match(cyclic.reason, /circular/i);
  });

  test('a BigInt a double holds exactly travels as a number', () => {
    assert.equal(frameOf(encode({ value: 42n })).toString(), '{"value":42}\x17');
  });

  test('a function or a symbol is unencodable', () => {
    assert.equal(encode(() => 1).kind, 'unencodable');
    assert.equal(encode(Symbol('s')).kind, 'unencodable');
  });

  test('null, undefined and [] are skipped', () => {
    for (const data of [null, undefined, []]) assert.deepEqual(encode(data), { kind: 'skip' });
    assert.equal(frameOf(encode({})).toString(), '{}\x17');
    assert.equal(frameOf(encode(0)).toString(), '0\x17');
  });

  test('a control character in a string cannot clash with a control delimiter', () => {
    // JSON.stringify escapes U+0017 and \n, which is why the fast path skips the check.
    const frame = frameOf(encode(['a\u0017b\nc']));
    assert.equal(frame.toString(), '["a\\u0017b\\nc"]\x17');
    assert.equal(frame.indexOf(0x17), frame.length - 1);
    const lf = createEncoder({ encoding: 'utf8', structure: 'json', delimiter: Buffer.from('\n') });
    assert.equal(frameOf(lf(['x\ny'])).toString(), '["x\\ny"]\n');
  });

  test('a printable delimiter inside JSON text is detected', () => {
    const pipe = createEncoder({
      encoding: 'utf8',
      structure: 'json',
      delimiter: Buffer.from('|'),
    });
    assert.deepEqual(pipe(['a|b']), { kind: 'contains-delimiter' });
    assert.equal(frameOf(pipe(['ab'])).toString(), '["ab"]|');
  });

  test('latin-1 and ascii escape non-ASCII like Python ensure_ascii', () => {
    for (const encoding of ['latin-1', 'ascii', 'cp1252']) {
      const enc = createEncoder({ encoding, structure: 'json', delimiter: ETB });
      const frame = frameOf(enc({ u: '°C €😀' }));
      assert.equal(
        frame.toString('latin1'),
        '{"u":"\\u00b0C \\u20ac\\ud83d\\ude00"}\x17',
        encoding,
      );
      const dec = createDecoder({ encoding, structure: 'json' });
      assert.deepEqual(dec(frame.subarray(0, -1)), { kind: 'ok', data: { u: '°C €😀' } });
    }
  });

  test('utf-16 frames carry a BOM and round-trip', () => {
    const enc = createEncoder({ encoding: 'utf-16', structure: 'json', delimiter: ETB });
    const frame = frameOf(enc({ u: '°C' }));
    assert.deepEqual(frame.subarray(0, 2), Buffer.from([0xff, 0xfe]));
    assert.equal(frame.at(-1), 0x17);
    const dec = createDecoder({ encoding: 'utf-16', structure: 'json' });
    assert.deepEqual(dec(frame.subarray(0, -1)), { kind: 'ok', data: { u: '°C' } });
  });

  test('utf-16 JSON whose bytes would contain the delimiter is escaped to ASCII, as Python sends it', () => {
    // U+1700 is the bytes 00 17 in UTF-16-LE, U+4E17 the bytes 17 4E.
    const enc = createEncoder({ encoding: 'utf-16', structure: 'json', delimiter: ETB });
    const dec = createDecoder({ encoding: 'utf-16', structure: 'json' });
    for (const text of ['\u1700', '\u4e17 °C']) {
      const frame = frameOf(enc([text]));
      assert.equal(frame.indexOf(0x17), frame.length - 1, 'the delimiter only at the end');
      assert.equal(
        frame.subarray(2, -1).toString('utf16le'),
        JSON.stringify([text]).replace(
          /[\u0080-\uffff]/g,
          (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
        ),
      );
      assert.deepEqual(dec(frame.subarray(0, -1)), { kind: 'ok', data: [text] });
    }
    assert.equal(
      frameOf(enc({ u: '°C' })).includes(Buffer.from('\\u', 'utf16le')),
      false,
      'escaped only when needed',
    );
  });

  test('text (structure none) whose bytes contain the delimiter is still refused', () => {
    const enc = createEncoder({ encoding: 'utf-16', structure: 'none', delimiter: ETB });
    assert.deepEqual(enc('\u1700'), { kind: 'contains-delimiter' });
  });

  test('connection framing appends nothing', () => {
    const enc = createEncoder({ encoding: 'utf8', structure: 'json', delimiter: null });
    assert.equal(frameOf(enc([1, 2])).toString(), '[1,2]');
  });

  test('an encoding that can only be decoded is refused at creation', () => {
    assert.throws(
      () => createEncoder({ encoding: 'shift_jis', structure: 'json', delimiter: ETB }),
      (err: unknown) => err instanceof DatalogdError && err.code === 'DATALOGD_ERR_OPTION_TYPE',
    );
  });
});

describe('createEncoder, none', () => {
  const lf = Buffer.from('\n');

  test('a string containing the delimiter is refused', () => {
    const enc = createEncoder({ encoding: 'utf8', structure: 'none', delimiter: lf });
    assert.deepEqual(enc('line one\nline two'), { kind: 'contains-delimiter' });
    assert.equal(frameOf(enc('line one')).toString(), 'line one\n');
  });

  test('a message end that overlaps the appended delimiter is refused', () => {
    const crlf = createEncoder({
      encoding: 'utf8',
      structure: 'none',
      delimiter: Buffer.from('\r\n'),
    });
    // "x\r" + "\r\n": the first CR LF is still the appended one, so this frames correctly.
    assert.equal(frameOf(crlf('x\r')).toString(), 'x\r\r\n');
    assert.equal(frameOf(crlf('has \r alone')).toString(), 'has \r alone\r\n');
    // "xa" + "aa": a reader would find "aa" one byte early and cut the message short.
    const aa = createEncoder({ encoding: 'utf8', structure: 'none', delimiter: Buffer.from('aa') });
    assert.deepEqual(aa('xa'), { kind: 'contains-delimiter' });
    assert.equal(frameOf(aa('ax')).toString(), 'axaa');
  });

  test('bytes are sent as they are, copied', () => {
    const enc = createEncoder({ encoding: 'utf8', structure: 'none', delimiter: ETB });
    const data = Buffer.from([0xff, 0x00, 0x41]);
    const frame = frameOf(enc(data));
    assert.deepEqual(frame, Buffer.from([0xff, 0x00, 0x41, 0x17]));
    data[0] = 0;
    assert.equal(frame[0], 0xff);
    assert.equal(frameOf(enc(Uint8Array.of(1, 2))).length, 3);
    assert.deepEqual(enc(Buffer.from([0x41, 0x17])), { kind: 'contains-delimiter' });
  });

  test('anything else is unencodable; empty messages are skipped', () => {
    const enc = createEncoder({ encoding: 'utf8', structure: 'none', delimiter: ETB });
    assert.equal(enc({ a: 1 }).kind, 'unencodable');
    assert.equal(enc(42).kind, 'unencodable');
    assert.deepEqual(enc(''), { kind: 'skip' });
    assert.deepEqual(enc([]), { kind: 'skip' });
  });

  test('characters the encoding cannot represent are unencodable', () => {
    const ascii = createEncoder({ encoding: 'ascii', structure: 'none', delimiter: ETB });
    assert.equal(ascii('café').kind, 'unencodable');
    const latin1 = createEncoder({ encoding: 'latin-1', structure: 'none', delimiter: ETB });
    assert.deepEqual(frameOf(latin1('café')), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x17]));
    const utf8 = createEncoder({ encoding: 'utf8', structure: 'none', delimiter: ETB });
    assert.equal(utf8('lone \ud83d').kind, 'unencodable');
  });
});

describe('encoder → framer → decoder', () => {
  test('records survive a byte-by-byte trip', () => {
    const encode = createEncoder({ encoding: 'utf8', structure: 'json', delimiter: ETB });
    const records = [
      [{ type: 'temperature', id: 'A0', value: 21.5, units: '°C' }],
      [{ type: 'analog', id: 'x', value: -1e-9, note: 'line\nbreak \u0017 😀' }],
    ];
    const stream = Buffer.concat(records.map((r) => frameOf(encode(r))));
    const received: unknown[] = [];
    const framer = new DelimiterFramer({
      delimiter: ETB,
      maxMessageBytes: 1024,
      onMessage: (m) => received.push(jsonUtf8(m)),
      onOversize: () => assert.fail('oversize'),
      onEmpty: () => assert.fail('empty'),
    });
    for (const byte of stream) framer.push(Buffer.from([byte]));
    assert.deepEqual(
      received,
      records.map((data) => ({ kind: 'ok', data })),
    );
  });
});

describe('createRunDecoder', () => {
  const decode = (
    run: Buffer,
    count: number,
    structure: 'json' | 'none' = 'json',
  ): DecodeResult[] => {
    const decoder = createRunDecoder({
      encoding: 'utf8',
      structure,
      delimiter: ETB,
    });
    assert.ok(decoder);
    const out: DecodeResult[] = [];
    decoder(run, count, (r) => out.push(r));
    return out;
  };

  test('decodes and parses every message of a run', () => {
    assert.deepEqual(decode(Buffer.from('[1, NaN]\x17{"u": "\\u00b0C"}\x17"x"'), 3), [
      { kind: 'ok', data: [1, NaN] },
      { kind: 'ok', data: { u: '°C' } },
      { kind: 'ok', data: 'x' },
    ]);
  });

  test('only the message with invalid UTF-8 becomes raw bytes; not-JSON stays text', () => {
    const run = Buffer.concat([
      Buffer.from('{"ok":1}\x17'),
      Buffer.from([0xff, 0x41]),
      Buffer.from('\x17{bad'),
    ]);
    const results = decode(run, 3);
    assert.deepEqual(results[0], { kind: 'ok', data: { ok: 1 } });
    assert.equal(results[1]?.kind, 'undecodable');
    assert.deepEqual([...(results[1] as { data: Buffer }).data], [0xff, 0x41]);
    assert.deepEqual(results[2], { kind: 'not-json', data: '{bad' });
  });

  test('structure none gives the text of each message', () => {
    assert.deepEqual(decode(Buffer.from('one\x17two'), 2, 'none'), [
      { kind: 'ok', data: 'one' },
      { kind: 'ok', data: 'two' },
    ]);
  });

  test('is not offered where a split of the text would not match a split of the bytes', () => {
    assert.equal(
      createRunDecoder({ encoding: 'utf-16', structure: 'json', delimiter: ETB }),
      undefined,
    );
    assert.equal(
      createRunDecoder({ encoding: 'utf8', structure: 'json', delimiter: Buffer.from('\r\n') }),
      undefined,
    );
    assert.equal(
      createRunDecoder({ encoding: 'utf8', structure: 'json', delimiter: null }),
      undefined,
    );
  });
});
