/**
 * INI files read the way Python's `configparser.ConfigParser()` reads them with its
 * defaults (strict, `empty_lines_in_values`, BasicInterpolation, `#`/`;` full-line comments,
 * no inline comments), so that a datalogd.conf written for Python means the same here.
 * Written by hand because no INI package on npm handles indented multi-line values with
 * comment lines inside them, which is exactly how a DOT graph is embedded.
 */
import { DatalogdError } from '../core/errors.js';

export const DEFAULT_SECTION = 'DEFAULT';

/** configparser's `MAX_INTERPOLATION_DEPTH`. */
const MAX_INTERPOLATION_DEPTH = 10;

/** One key's raw value and where it was written. */
export interface IniEntry {
  /** The value before interpolation: continuation lines stripped and joined with `\n`. */
  readonly value: string;
  /** The file (or other source) it was read from, as named to the parser. */
  readonly source: string;
  /** The line of the `key = value` line, 1-based. */
  readonly line: number;
  /** The physical line of each line of `value`, so errors can point inside a long value. */
  readonly valueLines: readonly number[];
  /**
   * How many characters of its physical line come before each line of `value` (the key and
   * `=` on the first line, the indentation on the others), so a column can be given too.
   */
  readonly valueColumns: readonly number[];
}

export type IniSections = ReadonlyMap<string, ReadonlyMap<string, IniEntry>>;

export interface IniParseResult {
  readonly document: IniDocument;
  /** Every syntax problem found, in line order; empty when the text is valid. */
  readonly problems: readonly DatalogdError[];
}

/**
 * Sections of keys. Keys are lower-cased; section names are case-sensitive. `[DEFAULT]`
 * keys are visible in every section. Values are interpolated when read with `get`, after
 * any merging, so a file can refer to a key another file sets.
 */
export class IniDocument {
  readonly #sections: Map<string, Map<string, IniEntry>>;
  readonly #headerLines: Map<string, number>;

  /** `headerLines`: the line of each section's first `[name]` header. */
  constructor(
    sections: IniSections = new Map(),
    headerLines: ReadonlyMap<string, number> = new Map(),
  ) {
    this.#sections = new Map();
    for (const [name, entries] of sections) this.#sections.set(name, new Map(entries));
    this.#headerLines = new Map(headerLines);
  }

  /** Later documents override earlier ones key by key; sections keep first-seen order. */
  static merge(...documents: readonly IniDocument[]): IniDocument {
    const merged = new IniDocument();
    for (const document of documents) {
      for (const [name, entries] of document.#sections) {
        const target = merged.#sections.get(name) ?? new Map<string, IniEntry>();
        for (const [key, entry] of entries) target.set(key, entry);
        merged.#sections.set(name, target);
      }
      for (const [name, line] of document.#headerLines) {
        if (!merged.#headerLines.has(name)) merged.#headerLines.set(name, line);
      }
    }
    return merged;
  }

  /** Section names in file order, without `DEFAULT`. */
  sections(): string[] {
    return [...this.#sections.keys()].filter((name) => name !== DEFAULT_SECTION);
  }

  hasSection(name: string): boolean {
    return name !== DEFAULT_SECTION && this.#sections.has(name);
  }

  /** The line of the section's first `[name]` header, when the parser recorded it. */
  headerLine(name: string): number | undefined {
    return this.#headerLines.get(name);
  }

  /** The keys written in the section itself (not those it inherits from `DEFAULT`). */
  keys(section: string): string[] {
    return [...(this.#sections.get(section)?.keys() ?? [])];
  }

  /** The raw entry for a key, from the section or else from `DEFAULT`. */
  entry(section: string, key: string): IniEntry | undefined {
    const own = this.#sections.get(section);
    if (own === undefined && section !== DEFAULT_SECTION) return undefined;
    const name = key.toLowerCase();
    return own?.get(name) ?? this.#sections.get(DEFAULT_SECTION)?.get(name);
  }

  /** The value before interpolation. */
  getRaw(section: string, key: string): string | undefined {
    return this.entry(section, key)?.value;
  }

  /**
   * The value after BasicInterpolation: `%%` is `%`, `%(name)s` is the value of `name` in
   * the same section or `DEFAULT`. Throws `DATALOGD_ERR_CONFIG_INTERPOLATION` naming the
   * file and line of the offending `%`.
   */
  get(section: string, key: string): string | undefined {
    const entry = this.entry(section, key);
    if (entry === undefined) return undefined;
    return this.#interpolate(section, key.toLowerCase(), entry, 1);
  }

  #interpolate(section: string, key: string, entry: IniEntry, depth: number): string {
    const { value } = entry;
    if (!value.includes('%')) return value;
    const fail = (at: number, message: string): DatalogdError => {
      const line = lineAt(entry, at);
      return new DatalogdError(
        'DATALOGD_ERR_CONFIG_INTERPOLATION',
        `${entry.source}:${line}: [${section}] ${key}: ${message}`,
        { option: key, file: entry.source, line },
      );
    };
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw fail(
        value.indexOf('%'),
        `%(name)s references nest deeper than ${MAX_INTERPOLATION_DEPTH} levels (does a key refer to itself?)`,
      );
    }
    let out = '';
    let from = 0;
    for (let at = value.indexOf('%'); at >= 0; at = value.indexOf('%', from)) {
      out += value.slice(from, at);
      const next = value.charAt(at + 1);
      if (next === '%') {
        out += '%';
        from = at + 2;
        continue;
      }
      if (next !== '(') {
        throw fail(
          at,
          `a "%" must be followed by "%" or "(", found ${JSON.stringify(value.slice(at, at + 12))}; write a literal % as %%`,
        );
      }
      REFERENCE.lastIndex = at;
      const match = REFERENCE.exec(value);
      const name = match?.[1];
      if (match === null || name === undefined) {
        throw fail(
          at,
          `bad reference ${JSON.stringify(value.slice(at, at + 20))}; write %(name)s, or a literal % as %%`,
        );
      }
      const target = name.toLowerCase();
      const referenced = this.entry(section, target);
      if (referenced === undefined) {
        throw fail(
          at,
          `%(${name})s refers to "${target}", which is not set in [${section}] or [DEFAULT]`,
        );
      }
      out += this.#interpolate(section, target, referenced, depth + 1);
      from = at + match[0].length;
    }
    return out + value.slice(from);
  }
}

const REFERENCE = /%\(([^)]+)\)s/y;

/** The file line of the character at `offset` in a (possibly multi-line) value. */
function lineAt(entry: IniEntry, offset: number): number {
  const lineIndex = entry.value.slice(0, Math.max(0, offset)).split('\n').length - 1;
  return entry.valueLines[lineIndex] ?? entry.line;
}

/** `mergeIni(a, b)`: keys of `b` override those of `a`. */
export function mergeIni(...documents: readonly IniDocument[]): IniDocument {
  return IniDocument.merge(...documents);
}

/** Parses INI text; throws the first problem (use `parseIniCollecting` to get them all). */
export function parseIni(text: string, source: string): IniDocument {
  const { document, problems } = parseIniCollecting(text, source);
  const first = problems[0];
  if (first !== undefined) throw first;
  return document;
}

interface PendingEntry {
  readonly parts: string[];
  readonly lines: number[];
  readonly columns: number[];
  readonly line: number;
}

const SECTION_HEADER = /^\[(.+)\]/;
const KEY_LINE = /^(.*?)\s*[=:]\s*(.*)$/;

/**
 * Parses INI text, going on past errors so that every problem in a file is reported at
 * once. Unlike configparser, which stops at a duplicate, the later duplicate is kept.
 */
export function parseIniCollecting(text: string, source: string): IniParseResult {
  const problems: DatalogdError[] = [];
  const syntaxError = (line: number, message: string): void => {
    problems.push(
      new DatalogdError('DATALOGD_ERR_CONFIG_SYNTAX', `${source}:${line}: ${message}`, {
        file: source,
        line,
      }),
    );
  };
  const sections = new Map<string, Map<string, PendingEntry>>();
  const sectionLines = new Map<string, number>();
  let sectionName = '';
  let section: Map<string, PendingEntry> | undefined;
  let pending: PendingEntry | undefined;
  let indent = 0;
  let reportedMissingHeader = false;

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    // A comment line leaves the value it sits in open, so DOT text can carry comments.
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    if (stripped === '') {
      pending?.parts.push('');
      pending?.lines.push(lineNo);
      pending?.columns.push(0);
      return;
    }
    const lineIndent = raw.search(/\S/);
    if (pending !== undefined && lineIndent > indent) {
      pending.parts.push(stripped);
      pending.lines.push(lineNo);
      pending.columns.push(lineIndent);
      return;
    }
    indent = lineIndent;

    const header = SECTION_HEADER.exec(stripped);
    if (header?.[1] !== undefined) {
      sectionName = header[1];
      const first = sectionLines.get(sectionName);
      // configparser lets [DEFAULT] appear more than once.
      if (first !== undefined && sectionName !== DEFAULT_SECTION) {
        syntaxError(lineNo, `section [${sectionName}] appears twice (first at line ${first})`);
      }
      if (first === undefined) sectionLines.set(sectionName, lineNo);
      section = sections.get(sectionName) ?? new Map<string, PendingEntry>();
      sections.set(sectionName, section);
      pending = undefined;
      return;
    }
    if (section === undefined) {
      if (!reportedMissingHeader) {
        syntaxError(lineNo, `no [section] header before this line: ${JSON.stringify(stripped)}`);
      }
      reportedMissingHeader = true;
      return;
    }
    const keyLine = KEY_LINE.exec(stripped);
    const key = keyLine?.[1]?.toLowerCase();
    if (keyLine === null || key === undefined || key === '') {
      // configparser keeps the previous key open here; so do we, to report the same lines.
      syntaxError(
        lineNo,
        `expected "key = value", a [section] header, or a continuation line indented deeper than its key; found ${JSON.stringify(stripped)}`,
      );
      return;
    }
    const earlier = section.get(key);
    if (earlier !== undefined) {
      syntaxError(
        lineNo,
        `key "${key}" is set twice in section [${sectionName}] (first at line ${earlier.line})`,
      );
    }
    const value = keyLine[2] ?? '';
    pending = {
      parts: [value.trim()],
      lines: [lineNo],
      columns: [lineIndent + stripped.length - value.length],
      line: lineNo,
    };
    section.set(key, pending);
  });

  const finished = new Map<string, Map<string, IniEntry>>();
  for (const [name, entries] of sections) {
    const done = new Map<string, IniEntry>();
    for (const [key, entry] of entries) done.set(key, finish(entry, source));
    finished.set(name, done);
  }
  return { document: new IniDocument(finished, sectionLines), problems };
}

/** Joins a value's lines, dropping trailing blank lines as configparser's `rstrip()` does. */
function finish(entry: PendingEntry, source: string): IniEntry {
  let count = entry.parts.length;
  while (count > 1 && entry.parts[count - 1] === '') count -= 1;
  return {
    value: entry.parts.slice(0, count).join('\n'),
    source,
    line: entry.line,
    valueLines: entry.lines.slice(0, count),
    valueColumns: entry.columns.slice(0, count),
  };
}
