import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatalogdError } from '../../../src/core/errors.js';
import { isWellFormed, lookupEncoding } from '../../../src/io/encodings.js';

function bytes(...values: number[]): Buffer {
  return Buffer.from(values);
}

describe('lookupEncoding names', () => {
  const names: readonly (readonly [string, string])[] = [
    ['utf8', 'utf-8'],
    ['utf-8', 'utf-8'],
    ['UTF8', 'utf-8'],
    ['utf_8', 'utf-8'],
    ['UTF-8', 'utf-8'],
    ['utf-8-sig', 'utf-8-sig'],
    ['latin-1', 'latin-1'],
    ['latin1', 'latin-1'],
    ['iso-8859-1', 'latin-1'],
    ['iso8859-1', 'latin-1'],
    ['ISO_8859_1', 'latin-1'],
    ['l1', 'latin-1'],
    ['ascii', 'ascii'],
    ['us-ascii', 'ascii'],
    ['US_ASCII', 'ascii'],
    ['utf-16', 'utf-16'],
    ['utf16', 'utf-16'],
    ['utf-16-le', 'utf-16-le'],
    ['utf-16le', 'utf-16-le'],
    ['utf_16_le', 'utf-16-le'],
    ['utf-16-be', 'utf-16-be'],
    ['utf-16be', 'utf-16-be'],
    ['cp1252', 'windows-1252'],
    ['windows-1252', 'windows-1252'],
    ['cp1251', 'windows-1251'],
    ['koi8_r', 'koi8-r'],
    ['iso8859_2', 'iso-8859-2'],
    ['mac_roman', 'macintosh'],
    ['shift_jis', 'shift_jis'],
    ['cp932', 'shift_jis'],
  ];
  for (const [given, canonical] of names) {
    test(`${given} → ${canonical}`, () => {
      assert.equal(lookupEncoding(given).name, canonical);
    });
  }

  test('an unknown name is a configuration error with examples', () => {
    for (const bad of ['utf-9', 'klingon', '', 'iso-2022-kr']) {
      assert.throws(
        () => lookupEncoding(bad),
        (err: unknown) =>
          err instanceof DatalogdError &&
          err.code === 'DATALOGD_ERR_OPTION_TYPE' &&
          err.option === 'message_encoding' &&
          err.message.includes('latin-1') &&
          err.message.includes(JSON.stringify(bad)),
      );
    }
  });
});

describe('utf-8', () => {
  const utf8 = lookupEncoding('utf8');

  test('round trip of non-ASCII text', () => {
    const text = '°C € 😀 ü';
    const encoded = utf8.encode!(text)!;
    assert.deepEqual(encoded, Buffer.from(text, 'utf8'));
    assert.equal(utf8.decode(encoded), text);
  });

  test('invalid bytes are rejected, not replaced', () => {
    for (const bad of [bytes(0xe9), bytes(0x41, 0xc3), bytes(0xed, 0xa0, 0x80), bytes(0xff)]) {
      assert.equal(utf8.decode(bad), undefined, bad.toString('hex'));
    }
  });

  test('a BOM is kept as a character, as Python utf-8 does', () => {
    assert.equal(utf8.decode(bytes(0xef, 0xbb, 0xbf, 0x41)), '\ufeffA');
  });

  test('an unpaired surrogate cannot be encoded', () => {
    assert.equal(utf8.encode!('a\ud83d'), undefined);
    assert.equal(isWellFormed('a\ud83d'), false);
    assert.equal(isWellFormed('\ud83d\ude00'), true);
  });

  test('utf-8-sig strips and writes the BOM', () => {
    const sig = lookupEncoding('utf-8-sig');
    assert.equal(sig.decode(bytes(0xef, 0xbb, 0xbf, 0x41)), 'A');
    assert.deepEqual(sig.encode!('A'), bytes(0xef, 0xbb, 0xbf, 0x41));
  });
});

describe('latin-1', () => {
  const latin1 = lookupEncoding('latin-1');

  test('every byte round-trips as its own code point', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = latin1.decode(all)!;
    assert.equal(text.length, 256);
    assert.equal(text.charCodeAt(0x80), 0x80, '0x80 is U+0080, not € as in cp1252');
    assert.equal(text.charCodeAt(0xe9), 0xe9);
    assert.deepEqual(latin1.encode!(text), all);
  });

  test('characters beyond U+00FF cannot be encoded', () => {
    assert.deepEqual(latin1.encode!('café'), bytes(0x63, 0x61, 0x66, 0xe9));
    assert.equal(latin1.encode!('5 €'), undefined);
  });
});

describe('ascii', () => {
  const ascii = lookupEncoding('ascii');

  test('rejects bytes of 0x80 and above', () => {
    assert.equal(ascii.decode(Buffer.from('plain text')), 'plain text');
    assert.equal(ascii.decode(bytes(0x63, 0x61, 0x66, 0xe9)), undefined);
    assert.equal(ascii.decode(bytes(0x80)), undefined);
  });

  test('refuses characters it cannot represent', () => {
    assert.deepEqual(ascii.encode!('ok'), Buffer.from('ok'));
    assert.equal(ascii.encode!('café'), undefined);
  });
});

describe('utf-16', () => {
  const utf16 = lookupEncoding('utf-16');
  const le = lookupEncoding('utf-16-le');
  const be = lookupEncoding('utf-16-be');

  test('encodes with a little-endian BOM, as Python does', () => {
    assert.deepEqual(utf16.encode!('A€'), bytes(0xff, 0xfe, 0x41, 0x00, 0xac, 0x20));
    assert.deepEqual(utf16.encode!(''), bytes(0xff, 0xfe));
  });

  test('decodes by BOM, little-endian without one', () => {
    assert.equal(utf16.decode(bytes(0xff, 0xfe, 0x41, 0x00)), 'A');
    assert.equal(utf16.decode(bytes(0xfe, 0xff, 0x00, 0x41)), 'A');
    assert.equal(utf16.decode(bytes(0x41, 0x00, 0x42, 0x00)), 'AB');
  });

  test('round trip with an astral character', () => {
    const text = 'x 😀 °C';
    assert.equal(utf16.decode(utf16.encode!(text)!), text);
    assert.equal(le.decode(le.encode!(text)!), text);
    assert.equal(be.decode(be.encode!(text)!), text);
  });

  test('-le and -be write no BOM and keep a leading U+FEFF', () => {
    assert.deepEqual(le.encode!('A'), bytes(0x41, 0x00));
    assert.deepEqual(be.encode!('A'), bytes(0x00, 0x41));
    assert.equal(le.decode(bytes(0xff, 0xfe, 0x41, 0x00)), '\ufeffA');
  });

  test('odd lengths and unpaired surrogates are invalid', () => {
    assert.equal(utf16.decode(bytes(0x41, 0x00, 0x42)), undefined);
    assert.equal(le.decode(bytes(0x3d, 0xd8, 0x41, 0x00)), undefined);
    assert.equal(be.encode!('\ude00'), undefined);
  });
});

describe('cp1252 and other single-byte encodings', () => {
  test('cp1252 maps 0x80 to € and rejects unassigned bytes like Python', () => {
    const cp = lookupEncoding('cp1252');
    assert.equal(cp.decode(bytes(0x80, 0x41, 0xe9)), '€Aé');
    assert.equal(cp.decode(bytes(0x93, 0x94)), '\u201c\u201d');
    assert.equal(cp.decode(bytes(0x81)), undefined);
    assert.deepEqual(cp.encode!('€Aé'), bytes(0x80, 0x41, 0xe9));
    assert.equal(cp.encode!('\u0081'), undefined);
    assert.equal(cp.encode!('Ω'), undefined);
  });

  test('cp1251 round-trips Cyrillic through a table built from TextDecoder', () => {
    const cp = lookupEncoding('cp1251');
    const encoded = cp.encode!('Привет')!;
    assert.deepEqual(encoded, bytes(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2));
    assert.equal(cp.decode(encoded), 'Привет');
    assert.equal(cp.encode!('é'), undefined);
  });

  test('a multi-byte legacy encoding decodes but cannot encode', () => {
    const sjis = lookupEncoding('shift_jis');
    assert.equal(sjis.decode(bytes(0x82, 0xa0)), 'あ');
    assert.equal(sjis.encode, undefined);
    assert.equal(sjis.asciiCompatible, false);
  });
});
