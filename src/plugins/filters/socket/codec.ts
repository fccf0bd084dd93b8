import { DatalogdError, errorMessage } from '../../../core/errors.js';
import { parsePythonJson } from '../../../core/python-json.js';
import { isWellFormed, lookupEncoding, type TextEncoding } from './encodings.js';

/** `structure_type`: JSON text, or plain text (and raw bytes). */
export type StructureType = 'json' | 'none';

/** What one received message became (socket-protocol.md section 3). */
export type DecodeResult =
  /** Decoded (and, for `json`, parsed) data to send on. */
  | { readonly kind: 'ok'; readonly data: unknown }
  /** The bytes are not valid in the encoding; the raw bytes are forwarded. */
  | { readonly kind: 'undecodable'; readonly data: Buffer }
  /** The text is not JSON (Python's dialect); the text is forwarded. */
  | { readonly kind: 'not-json'; readonly data: string };

/** What one outgoing value became (socket-protocol.md section 4). */
export type EncodeResult =
  /** The message followed by its delimiter, as one buffer to write to every connection. */
  | { readonly kind: 'ok'; readonly frame: Buffer }
  /** `null`, `undefined`, `[]` or an empty message: dropped silently. */
  | { readonly kind: 'skip' }
  /** JSON or the encoding cannot represent the value; `reason` says why. */
  | { readonly kind: 'unencodable'; readonly reason: string }
  /** The encoded message contains the delimiter and would break the framing. */
  | { readonly kind: 'contains-delimiter' };

export interface DecoderOptions {
  readonly encoding: string;
  readonly structure: StructureType;
}

export interface EncoderOptions {
  readonly encoding: string;
  readonly structure: StructureType;
  /** The delimiter bytes, or `null` for connection framing (nothing appended). */
  readonly delimiter: Buffer | null;
}

const SKIP: EncodeResult = { kind: 'skip' };
const CONTAINS_DELIMITER: EncodeResult = { kind: 'contains-delimiter' };

/**
 * A function turning one message's bytes into data. Never throws for bad input.
 * @throws DatalogdError `DATALOGD_ERR_OPTION_TYPE` at creation for an unknown encoding.
 */
export function createDecoder(options: DecoderOptions): (message: Buffer) => DecodeResult {
  const { decode } = lookupEncoding(options.encoding);
  if (options.structure === 'none') {
    return (message) => {
      const text = decode(message);
      return text === undefined
        ? { kind: 'undecodable', data: message }
        : { kind: 'ok', data: text };
    };
  }
  return (message) => {
    const text = decode(message);
    if (text === undefined) return { kind: 'undecodable', data: message };
    try {
      return { kind: 'ok', data: parsePythonJson(text) };
    } catch {
      return { kind: 'not-json', data: text };
    }
  };
}

/**
 * A function turning one outgoing value into a frame. Never throws for bad input.
 * @throws DatalogdError `DATALOGD_ERR_OPTION_TYPE` at creation for an unknown encoding, or
 *   one that can be decoded but not encoded (the multi-byte East Asian ones).
 */
export function createEncoder(options: EncoderOptions): (data: unknown) => EncodeResult {
  const encoding = lookupEncoding(options.encoding);
  const encode = encoding.encode;
  if (encode === undefined) {
    throw new DatalogdError(
      'DATALOGD_ERR_OPTION_TYPE',
      `option "message_encoding": ${encoding.name} can be read but not written; use utf-8 to send`,
      { option: 'message_encoding' },
    );
  }
  // A private copy: the caller's delimiter buffer could change under a running encoder.
  const delimiter = options.delimiter === null ? null : Buffer.from(options.delimiter);
  const toFrame = frameBuilder(encoding, encode, delimiter, options.structure);
  if (options.structure === 'none') {
    return (data) => {
      if (isSkipped(data)) return SKIP;
      if (typeof data === 'string') return toFrame(data);
      if (data instanceof Uint8Array) return bytesFrame(data, delimiter);
      return {
        kind: 'unencodable',
        reason: `structure_type none sends text or bytes, not ${typeName(data)}`,
      };
    };
  }
  return (data) => {
    if (isSkipped(data)) return SKIP;
    const text = stringify(data);
    return typeof text === 'string' ? toFrame(text) : text;
  };
}

function isSkipped(data: unknown): boolean {
  return data === null || data === undefined || (Array.isArray(data) && data.length === 0);
}

/** Compact JSON; `Date` becomes an ISO string through its toJSON, NaN and ±Infinity null. */
function stringify(data: unknown): string | EncodeResult {
  let text: string | undefined;
  try {
    text = toJson(data);
  } catch (err) {
    // Only a BigInt or a cycle gets here; retrying keeps the replacer off the fast path.
    try {
      text = toJson(data, safeBigInt);
    } catch (again) {
      return { kind: 'unencodable', reason: errorMessage(again ?? err) };
    }
  }
  if (text === undefined) {
    return { kind: 'unencodable', reason: `JSON cannot represent ${typeName(data)}` };
  }
  return text;
}

/** JSON.stringify as it really behaves: undefined for a function, a symbol, `undefined`. */
function toJson(
  data: unknown,
  replacer?: (key: string, value: unknown) => unknown,
): string | undefined {
  return JSON.stringify(data, replacer);
}

/** A BigInt that a double holds exactly travels as a number; a larger one is refused. */
function safeBigInt(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
    return Number(value);
  }
  throw new TypeError(`BigInt ${value} is beyond 2^53 and JSON numbers cannot hold it exactly`);
}

/**
 * Builds text frames. The check for the delimiter inside the message is skipped when it
 * cannot match: compact JSON has no whitespace between tokens and JSON.stringify escapes
 * every character below U+0020 inside strings (U+0017 becomes the six characters \u0017),
 * so its text holds no character below U+0020; an ASCII-compatible encoding then produces
 * no byte below 0x20, so a delimiter with such a byte (0x17, \n, \r\n, \0) cannot occur.
 */
function frameBuilder(
  encoding: TextEncoding,
  encode: (text: string) => Buffer | undefined,
  delimiter: Buffer | null,
  structure: StructureType,
): (text: string) => EncodeResult {
  const width = delimiter?.length ?? 0;
  const needsCheck = !(
    structure === 'json' &&
    encoding.asciiCompatible &&
    delimiter !== null &&
    delimiter.some((byte) => byte < 0x20)
  );
  // Python writes JSON with ensure_ascii: escaping non-ASCII keeps JSON sendable in latin-1,
  // ascii or cp1252, and peers decode the escapes to the same text.
  const escapeNonAscii = structure === 'json' && !encoding.unicode;
  // Node's Buffer.from(string) writes straight into its pool and beat allocUnsafe + write by
  // about 15% in a micro-benchmark, so an ASCII delimiter is appended as text for utf-8.
  const delimiterText =
    encoding.name === 'utf-8' && delimiter !== null && delimiter.every((b) => b < 0x80)
      ? delimiter.toString('latin1')
      : undefined;

  return (text) => {
    if (escapeNonAscii) text = escapeToAscii(text);
    if (text.length === 0) return SKIP;
    let frame: Buffer;
    if (delimiterText !== undefined) {
      // JSON.stringify output is well formed; for a 'none' string Buffer.from would write
      // U+FFFD where Python refuses an unpaired surrogate, so check that case.
      if (structure === 'none' && !isWellFormed(text)) return unencodable(encoding);
      frame = Buffer.from(text + delimiterText, 'utf8');
    } else {
      const message = encode(text);
      if (message === undefined) return unencodable(encoding);
      if (delimiter === null) return { kind: 'ok', frame: message };
      frame = Buffer.allocUnsafe(message.length + width);
      message.copy(frame, 0);
      delimiter.copy(frame, message.length);
    }
    if (needsCheck && delimiter !== null && frame.indexOf(delimiter) !== frame.length - width) {
      return CONTAINS_DELIMITER;
    }
    return { kind: 'ok', frame };
  };
}

/** Bytes are sent as they are; copied, so the sender may reuse its buffer. */
function bytesFrame(data: Uint8Array, delimiter: Buffer | null): EncodeResult {
  if (data.length === 0) return SKIP;
  const width = delimiter?.length ?? 0;
  const frame = Buffer.allocUnsafe(data.length + width);
  frame.set(data, 0);
  if (delimiter === null) return { kind: 'ok', frame };
  delimiter.copy(frame, data.length);
  // The first match must be the delimiter we appended, or the peer would split early.
  if (frame.indexOf(delimiter) !== data.length) return CONTAINS_DELIMITER;
  return { kind: 'ok', frame };
}

function escapeToAscii(text: string): string {
  return /[\u0080-\uffff]/.test(text)
    ? text.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    : text;
}

function unencodable(encoding: TextEncoding): EncodeResult {
  return { kind: 'unencodable', reason: `the text has characters ${encoding.name} cannot encode` };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}
