/**
 * A `plotlayout` written as Python writes it: pyqtgraph users spell pens as tuples,
 * `(255, 0, 0)`, which the DOT attribute's JSON decoding cannot read, so the attribute
 * arrives as text. This reads that text as a Python literal: tuples become lists,
 * `True`/`False`/`None` their JSON words, quotes of either kind strings, trailing commas
 * dropped. Anything else (a name, a call) is refused.
 */
import { parsePythonJson } from '../../../python/json.js';

const WORDS: Readonly<Record<string, string>> = {
  True: 'true',
  False: 'false',
  None: 'null',
  NaN: 'NaN',
  Infinity: 'Infinity',
  true: 'true',
  false: 'false',
  null: 'null',
};

/** The value of a Python literal; throws a SyntaxError naming what could not be read. */
export function parsePythonLiteral(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"' || ch === "'") {
      const end = stringEnd(text, i);
      out += JSON.stringify(unescapePython(text.slice(i + 1, end)));
      i = end + 1;
    } else if (ch === '(') {
      out += '[';
      i += 1;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      // Python allows `(1,)` and `[1, 2,]`; JSON does not.
      out = out.replace(/,\s*$/, '') + (ch === ')' ? ']' : ch);
      i += 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0] ?? ch;
      const json = WORDS[word];
      if (json === undefined) throw new SyntaxError(`"${word}" is not a literal value`);
      out += json;
      i += word.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return parsePythonJson(out);
}

function stringEnd(text: string, start: number): number {
  const quote = text.charAt(start);
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\') i += 1;
    else if (ch === quote) return i;
  }
  throw new SyntaxError(`a string starting at character ${start + 1} is not closed`);
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function unescapePython(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (whole, esc: string) => {
    if (esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ESCAPES[esc] ?? whole;
  });
}
