/**
 * Reads one fact from a class's source text (`Function.prototype.toString`): the name of
 * its constructor's first parameter. Only that; the daemon uses it to call a user plugin
 * the way its author wrote the constructor (see construct.ts).
 *
 * This is a scanner, not a parser: it skips comments, strings, template literals and
 * regular expression literals, follows brace depth, and looks for `constructor(` directly
 * in the class body. Anything it does not understand gives "no constructor found", which
 * makes the daemon fall back to the ordinary options-first call.
 */

/** What the source says about the class's own constructor. */
export type ConstructorParameter =
  | { readonly kind: 'none' } // the class declares no constructor of its own
  | { readonly kind: 'named'; readonly name: string } // `constructor(sinks = [], ...)`
  | { readonly kind: 'other' }; // no parameters, or a destructuring pattern first

const NO_CONSTRUCTOR: ConstructorParameter = { kind: 'none' };
const OTHER: ConstructorParameter = { kind: 'other' };

/** Words after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

export function firstConstructorParameter(source: string): ConstructorParameter {
  const scanner = new Scanner(source);
  if (!scanner.startsWithWord('class')) return NO_CONSTRUCTOR;
  if (!scanner.enterClassBody()) return NO_CONSTRUCTOR;
  const at = scanner.findConstructor();
  if (at === undefined) return NO_CONSTRUCTOR;
  return scanner.firstParameterAt(at);
}

class Scanner {
  readonly #src: string;
  #i = 0;
  /** The last character that was code (not a comment or white space), for the regex rule. */
  #lastCode = '';
  /** The last identifier-like word seen, for the regex rule. */
  #lastWord = '';

  constructor(source: string) {
    this.#src = source;
  }

  startsWithWord(word: string): boolean {
    this.#skipBlank();
    const end = this.#i + word.length;
    return this.#src.startsWith(word, this.#i) && !isIdentifierChar(this.#src[end] ?? '');
  }

  /** Moves past the `{` that opens the class body (the first one outside any brackets). */
  enterClassBody(): boolean {
    let depth = 0;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      if (this.#skipNonCode()) continue;
      if (isIdentifierStart(ch)) {
        this.#readWord();
        continue;
      }
      if (ch === '{' && depth === 0) {
        this.#advanceCode();
        return true;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth += 1;
      else if (ch === ')' || ch === ']' || ch === '}') depth -= 1;
      this.#advanceCode();
    }
    return false;
  }

  /**
   * Finds `constructor` followed by `(` at the top level of the class body (not a
   * `static constructor()` method) and returns where its parameter list starts.
   */
  findConstructor(): number | undefined {
    let depth = 0;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      if (this.#skipNonCode()) continue;
      if (isIdentifierStart(ch)) {
        const previous = this.#lastWord;
        const word = this.#readWord();
        if (depth === 0 && word === 'constructor' && previous !== 'static') {
          if (this.#nextCodeChar() === '(') return this.#i;
        }
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth += 1;
      else if (ch === ')' || ch === ']') depth -= 1;
      else if (ch === '}') {
        if (depth === 0) return undefined; // the end of the class body
        depth -= 1;
      }
      this.#advanceCode();
    }
    return undefined;
  }

  /** After `constructor`: the first parameter, if it is a plain (or rest) name. */
  firstParameterAt(at: number): ConstructorParameter {
    this.#i = at;
    this.#skipBlank();
    if (this.#src[this.#i] !== '(') return OTHER;
    this.#i += 1;
    this.#skipBlank();
    if (this.#src.startsWith('...', this.#i)) {
      this.#i += 3;
      this.#skipBlank();
    }
    if (!isIdentifierStart(this.#src[this.#i] ?? '')) return OTHER;
    return { kind: 'named', name: this.#readWord() };
  }

  #nextCodeChar(): string {
    this.#skipBlank();
    return this.#src[this.#i] ?? '';
  }

  #readWord(): string {
    const start = this.#i;
    while (this.#i < this.#src.length && isIdentifierChar(this.#src[this.#i] as string)) {
      this.#i += 1;
    }
    const word = this.#src.slice(start, this.#i);
    this.#lastWord = word;
    this.#lastCode = word.slice(-1);
    return word;
  }

  #advanceCode(): void {
    this.#lastCode = this.#src[this.#i] as string;
    this.#lastWord = '';
    this.#i += 1;
  }

  /** Skips white space and comments. */
  #skipBlank(): void {
    for (;;) {
      const ch = this.#src[this.#i] ?? '';
      if (ch !== '' && /\s/.test(ch)) this.#i += 1;
      else if (this.#src.startsWith('//', this.#i)) this.#skipTo('\n');
      else if (this.#src.startsWith('/*', this.#i)) this.#skipTo('*/');
      else return;
    }
  }

  /** Skips one piece of text that is not code (blank, comment, string, template, regex). */
  #skipNonCode(): boolean {
    const ch = this.#src[this.#i] as string;
    if (
      /\s/.test(ch) ||
      this.#src.startsWith('//', this.#i) ||
      this.#src.startsWith('/*', this.#i)
    ) {
      this.#skipBlank();
      return true;
    }
    if (ch === '"' || ch === "'") {
      this.#skipQuoted(ch);
      return true;
    }
    if (ch === '`') {
      this.#skipTemplate();
      return true;
    }
    if (ch === '/' && this.#regexMayStartHere()) {
      this.#skipRegex();
      return true;
    }
    return false;
  }

  #regexMayStartHere(): boolean {
    if (this.#lastWord !== '') return BEFORE_REGEX.has(this.#lastWord);
    return !(isIdentifierChar(this.#lastCode) || this.#lastCode === ')' || this.#lastCode === ']');
  }

  #skipTo(end: string): void {
    const at = this.#src.indexOf(end, this.#i + 2);
    this.#i = at < 0 ? this.#src.length : at + end.length;
  }

  #skipQuoted(quote: string): void {
    this.#i += 1;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      this.#i += ch === '\\' ? 2 : 1;
      if (ch === quote || ch === '\n') break;
    }
    this.#lastCode = quote;
    this.#lastWord = '';
  }

  /** A template literal, with `${ ... }` parts scanned as code (they may hold braces). */
  #skipTemplate(): void {
    this.#i += 1;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      if (ch === '\\') {
        this.#i += 2;
      } else if (ch === '`') {
        this.#i += 1;
        break;
      } else if (this.#src.startsWith('${', this.#i)) {
        this.#i += 2;
        this.#skipBalancedCode();
      } else {
        this.#i += 1;
      }
    }
    this.#lastCode = '`';
    this.#lastWord = '';
  }

  /** Code up to and including the `}` that closes an already opened `${` or `{`. */
  #skipBalancedCode(): void {
    let depth = 0;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      if (this.#skipNonCode()) continue;
      if (isIdentifierStart(ch)) {
        this.#readWord();
        continue;
      }
      this.#advanceCode();
      if (ch === '{') depth += 1;
      else if (ch === '}') {
        if (depth === 0) return;
        depth -= 1;
      }
    }
  }

  #skipRegex(): void {
    this.#i += 1;
    let inClass = false;
    while (this.#i < this.#src.length) {
      const ch = this.#src[this.#i] as string;
      this.#i += ch === '\\' ? 2 : 1;
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      else if ((ch === '/' && !inClass) || ch === '\n') break;
    }
    while (isIdentifierChar(this.#src[this.#i] ?? '')) this.#i += 1; // flags
    this.#lastCode = ')'; // a regex is a value: a `/` after it divides
    this.#lastWord = '';
  }
}

function isIdentifierStart(ch: string): boolean {
  return ch !== '' && /[\p{ID_Start}$_]/u.test(ch);
}

function isIdentifierChar(ch: string): boolean {
  return ch !== '' && /[\p{ID_Continue}$\u200c\u200d]/u.test(ch);
}
