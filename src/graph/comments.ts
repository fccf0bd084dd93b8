/**
 * Replaces every DOT comment (`// ...`, `/* ... *\/`, `# ...`) with spaces, keeping line
 * breaks, so lines and columns in error messages still point into the user's text.
 *
 * DOT treats a comment like whitespace anywhere between tokens, but the parser library
 * only accepts comments between statements and in some places inside attribute lists
 * (`a /* note *\/ [class=X]` and `[k=1 /* note *\/, j=2]` are refused). Removing them
 * first gives DOT's meaning everywhere. Quoted strings and HTML strings are copied as they
 * are; an unterminated block comment is left for the parser to report.
 */
export function blankComments(dot: string): string {
  let out = '';
  let i = 0;
  while (i < dot.length) {
    const ch = dot[i] as string;
    if (ch === '"') {
      const end = quotedEnd(dot, i);
      out += dot.slice(i, end);
      i = end;
    } else if (ch === '<') {
      const end = htmlEnd(dot, i);
      out += dot.slice(i, end);
      i = end;
    } else if (ch === '#' || dot.startsWith('//', i)) {
      const end = lineEnd(dot, i);
      out += ' '.repeat(end - i);
      i = end;
    } else if (dot.startsWith('/*', i)) {
      const close = dot.indexOf('*/', i + 2);
      if (close < 0) {
        out += dot.slice(i);
        i = dot.length;
      } else {
        const end = close + 2;
        out += blank(dot.slice(i, end));
        i = end;
      }
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Index just past the closing quote; a backslash always takes the next character with it. */
function quotedEnd(dot: string, start: number): number {
  let i = start + 1;
  while (i < dot.length) {
    const ch = dot[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i += 1;
  }
  return dot.length;
}

/** Index just past the `>` that closes an HTML string (`<` and `>` nest inside it). */
function htmlEnd(dot: string, start: number): number {
  let depth = 0;
  for (let i = start; i < dot.length; i++) {
    const ch = dot[i];
    if (ch === '<') depth += 1;
    else if (ch === '>') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return dot.length;
}

function lineEnd(dot: string, start: number): number {
  for (let i = start; i < dot.length; i++) {
    const ch = dot[i];
    if (ch === '\n' || ch === '\r') return i;
  }
  return dot.length;
}

/** Spaces for every UTF-16 unit (the unit the parser counts columns in), line breaks kept. */
function blank(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    out += ch === '\n' || ch === '\r' ? ch : ' ';
  }
  return out;
}
