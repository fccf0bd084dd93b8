import { DatalogdError, errorMessage } from '../core/errors.js';
import {
  escapeNonAscii,
  mayHoldNonFinite,
  parsePythonJson,
  parsePythonJsonKnowing,
  stringifyPythonJson,
} from '../python/json.js';
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

/**
 * A message followed by its delimiter. UTF-8 text frames stay strings: a connection joins
 * the frames of one event-loop turn and writes them once, which saves an allocation and a
 * copy per message on the hot path; other encodings and raw bytes are Buffers.
 */
export type Frame = Buffer | string;

/** What one outgoing value became (socket-protocol.md section 4). */
export type EncodeResult =
  /** The message followed by its delimiter, as one frame to write to every connection. */
  | { readonly kind: 'ok'; readonly frame: Frame }
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
    return text === undefined ? { kind: 'undecodable', data: message } : parseJsonText(text);
  };
}

/** Decodes a run of messages (see DelimiterFramer's onRun), reporting each result in order. */
export type RunDecoder = (run: Buffer, count: number, each: (result: DecodeResult) => void) => void;

/**
 * For UTF-8 with a single ASCII delimiter byte, a decoder of whole runs: one strict decode
 * of the run, then a split of the text, which finds exactly the messages a split of the
 * bytes would (an ASCII byte never occurs inside a multi-byte UTF-8 sequence). When the run
 * is not valid UTF-8 its messages are decoded one by one, so only the bad ones are raw
 * bytes. Returns undefined where this shortcut does not hold.
 */
export function createRunDecoder(
  options: DecoderOptions & { readonly delimiter: Buffer | null },
): RunDecoder | undefined {
  const { delimiter } = options;
  const encoding = lookupEncoding(options.encoding);
  const byte = delimiter?.length === 1 ? (delimiter[0] as number) : 0x80;
  if (encoding.name !== 'utf-8' || byte >= 0x80) return undefined;
  const separator = String.fromCharCode(byte);
  const one = createDecoder(options);
  const json = options.structure === 'json';
  return (run, count, each) => {
    const text = encoding.decode(run);
    if (text === undefined) {
      let start = 0;
      for (let i = 0; i < count; i++) {
        const at = run.indexOf(byte, start);
        const end = at === -1 ? run.length : at;
        each(one(run.subarray(start, end)));
        start = end + 1;
      }
      return;
    }
    if (!json) {
      if (count === 1) each({ kind: 'ok', data: text });
      else for (const part of text.split(separator)) each({ kind: 'ok', data: part });
      return;
    }
    // One search of the whole run for NaN and Infinity, not two per message.
    const special = mayHoldNonFinite(text);
    if (count === 1) {
      each(parseJsonText(text, special));
      return;
    }
    for (const part of text.split(separator)) each(parseJsonText(part, special));
  };
}

function parseJsonText(text: string, special?: boolean): DecodeResult {
  try {
    const data =
      special === undefined ? parsePythonJson(text) : parsePythonJsonKnowing(text, special);
    return { kind: 'ok', data };
  } catch {
    return { kind: 'not-json', data: text };
  }
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

/**
 * Compact JSON as Python would write it (`Date` becomes an ISO string through its toJSON,
 * NaN and ±Infinity null), with integers beyond 2^53 (BigInts, as parsePythonJson reads
 * them) written digit for digit, so that a nanosecond timestamp is relayed exactly. Plain
 * data takes JSON.stringify's path alone.
 */
function stringify(data: unknown): string | EncodeResult {
  let text: string | undefined;
  try {
    text = stringifyPythonJson(data);
  } catch (err) {
    return { kind: 'unencodable', reason: errorMessage(err) };
  }
  if (text === undefined) {
    return { kind: 'unencodable', reason: `JSON cannot represent ${typeName(data)}` };
  }
  return text;
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
  const escapeAlways = structure === 'json' && !encoding.unicode;
  // For utf-8 and an ASCII delimiter the frame stays text (see Frame), and a delimiter
  // search in the text finds exactly what a search in its UTF-8 bytes would.
  const delimiterText =
    encoding.name === 'utf-8' && delimiter !== null && delimiter.every((b) => b < 0x80)
      ? delimiter.toString('latin1')
      : undefined;

  const build = (text: string): EncodeResult => {
    if (escapeAlways) text = escapeNonAscii(text);
    if (text.length === 0) return SKIP;
    if (delimiterText !== undefined) {
      // JSON.stringify output is well formed; for a 'none' string the UTF-8 conversion would
      // write U+FFFD where Python refuses an unpaired surrogate, so check that case.
      if (structure === 'none' && !isWellFormed(text)) return unencodable(encoding);
      const frame = text + delimiterText;
      if (needsCheck && frame.indexOf(delimiterText) !== text.length) return CONTAINS_DELIMITER;
      return { kind: 'ok', frame };
    }
    const message = encode(text);
    if (message === undefined) return unencodable(encoding);
    if (delimiter === null) return { kind: 'ok', frame: message };
    const frame = Buffer.allocUnsafe(message.length + width);
    message.copy(frame, 0);
    delimiter.copy(frame, message.length);
    if (needsCheck && frame.indexOf(delimiter) !== frame.length - width) {
      return CONTAINS_DELIMITER;
    }
    return { kind: 'ok', frame };
  };
  if (structure !== 'json' || escapeAlways) return build;
  // In UTF-16, or with a non-ASCII delimiter, a character's bytes can hold the delimiter
  // (U+4E17 is 17 4E in UTF-16LE). JSON escaped to ASCII as \uXXXX, as Python's json.dumps
  // writes it, means the same to every reader; it is used only when the text needs it.
  return (text) => {
    const result = build(text);
    if (result.kind !== 'contains-delimiter') return result;
    const escaped = escapeNonAscii(text);
    return escaped === text ? result : build(escaped);
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
