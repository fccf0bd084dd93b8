/**
 * Python's `re` for the patterns people write in datalogd configs, compiled once to a
 * JavaScript RegExp. The three Python entry points differ only in anchoring:
 * `search` finds the pattern anywhere, `match` only at the start, `fullmatch` only as the
 * whole text. Python-only spellings are translated: leading inline flags (`(?i)`, `(?ims)`),
 * named groups `(?P<name>…)` and back-references `(?P=name)`, and the anchors `\A` and `\Z`.
 * The verbose flag `(?x)` drops unescaped white space and `#` comments outside classes.
 */
export type PythonRegexMode = 'search' | 'match' | 'fullmatch';

export interface PythonRegexOptions {
  readonly mode: PythonRegexMode;
  /** Case-insensitive even without `(?i)` (pyserial's `grep` is). */
  readonly ignoreCase?: boolean;
}

/** Exact start and end of the text, whatever the `m` flag says `^` and `$` mean. */
const TEXT_START = '(?<![\\s\\S])';
const TEXT_END = '(?![\\s\\S])';

/** Returns undefined when the pattern is not valid, in Python's dialect or in JavaScript's. */
export function compilePythonRegex(
  pattern: string,
  options: PythonRegexOptions,
): RegExp | undefined {
  const inline = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  const pythonFlags = inline?.[1] ?? '';
  let flags = options.ignoreCase === true ? 'i' : '';
  for (const f of pythonFlags) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  const body = translate(
    inline === null ? pattern : pattern.slice(inline[0].length),
    pythonFlags.includes('x'),
  );
  if (body === undefined) return undefined;
  const multiline = flags.includes('m');
  const start = multiline ? TEXT_START : '^';
  const end = multiline ? TEXT_END : '$';
  const anchored =
    options.mode === 'search'
      ? body
      : options.mode === 'match'
        ? `${start}(?:${body})`
        : `${start}(?:${body})${end}`;
  for (const unicode of ['u', '']) {
    try {
      // Compiled bare first, so that a pattern such as `a)|(b` is rejected, not re-grouped.
      new RegExp(body, flags + unicode);
      return new RegExp(anchored, flags + unicode);
    } catch {
      // Try without the unicode flag, which rejects escapes Python accepts (`\_`, `\-`).
    }
  }
  return undefined;
}

/** Rewrites Python-only syntax, escape-aware; undefined for a dangling backslash. */
function translate(source: string, verbose: boolean): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    if (ch === '\\') {
      const next = source.charAt(i + 1);
      if (next === '') return undefined;
      i += 1;
      if (!inClass && next === 'A') out += TEXT_START;
      else if (!inClass && next === 'Z') out += TEXT_END;
      else out += ch + next;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      // A `]` right after `[` or `[^` is a literal in both dialects.
      if (source.charAt(i + 1) === '^') out += source.charAt(++i);
      if (source.charAt(i + 1) === ']') out += source.charAt(++i);
      continue;
    }
    if (verbose && /\s/.test(ch)) continue;
    if (verbose && ch === '#') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? source.length : newline;
      continue;
    }
    if (source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    const backReference = /^\(\?P=(\w+)\)/.exec(source.slice(i));
    if (backReference !== null) {
      out += `\\k<${backReference[1] ?? ''}>`;
      i += backReference[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}
