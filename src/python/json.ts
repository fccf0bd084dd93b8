/**
 * JSON as Python's `json` module reads and writes it: standard JSON plus the bare tokens
 * `NaN`, `Infinity` and `-Infinity`. Python's `", "` separators and `\uXXXX` escapes
 * (surrogate pairs included) are standard JSON already, so the fast path is `JSON.parse`;
 * only text that fails it and carries one of the bare tokens takes the slow path.
 */
const NON_FINITE = /NaN|Infinity/;

export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (!NON_FINITE.test(text)) throw err;
  }
  return parseWithNonFinite(text);
}

const MARKER = '\u0000datalogd-nonfinite:';

function parseWithNonFinite(text: string): unknown {
  if (text.includes(MARKER)) throw new SyntaxError('Unexpected control character in JSON');
  let out = '';
  let i = 0;
  let copiedUpTo = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      i = skipString(text, i);
      continue;
    }
    const token = nonFiniteTokenAt(text, i);
    if (token !== undefined) {
      out += text.slice(copiedUpTo, i) + JSON.stringify(MARKER + token);
      i += token.length;
      copiedUpTo = i;
      continue;
    }
    i += 1;
  }
  out += text.slice(copiedUpTo);
  return JSON.parse(out, reviveNonFinite) as unknown;
}

function nonFiniteTokenAt(text: string, i: number): string | undefined {
  for (const token of ['-Infinity', 'Infinity', 'NaN']) {
    if (text.startsWith(token, i) && !isIdentChar(text.charCodeAt(i - 1))) {
      if (!isIdentChar(text.charCodeAt(i + token.length))) return token;
    }
  }
  return undefined;
}

function isIdentChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}

/** Returns the index just past the closing quote of the string starting at `start`. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) i += 2;
    else if (ch === 0x22) return i + 1;
    else i += 1;
  }
  return i;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(MARKER)) {
    const token = value.slice(MARKER.length);
    if (token === 'NaN') return NaN;
    return token === '-Infinity' ? -Infinity : Infinity;
  }
  return value;
}
