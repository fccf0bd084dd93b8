import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IniDocument, mergeIni, parseIni, parseIniCollecting } from '../../../src/config/ini.js';
import { DatalogdError } from '../../../src/core/errors.js';

function lines(...text: string[]): string {
  return text.join('\n');
}

function syntaxProblems(text: string): string[] {
  return parseIniCollecting(text, 'f.conf').problems.map((p) => {
    assert.equal(p.code, 'DATALOGD_ERR_CONFIG_SYNTAX');
    assert.ok(p.message.startsWith(`${p.file}:${p.line}: `), 'the place is also in fields');
    return p.message;
  });
}

function interpolationError(doc: IniDocument, section: string, key: string): DatalogdError {
  try {
    doc.get(section, key);
  } catch (err) {
    assert.ok(err instanceof DatalogdError);
    assert.equal(err.code, 'DATALOGD_ERR_CONFIG_INTERPOLATION');
    assert.ok(err.message.startsWith(`${err.file}:${err.line}: `), 'the place is also in fields');
    return err;
  }
  assert.fail(`expected [${section}] ${key} to fail interpolation`);
}

describe('parseIni: sections and keys', () => {
  test('reads keys with = and :, splitting at the first delimiter, stripping both sides', () => {
    const doc = parseIni(
      lines('[s]', 'a = 1', 'b: two', 'c=x=y  ', 'd : e = f', 'url = http://host:80/'),
      'f.conf',
    );
    assert.equal(doc.get('s', 'a'), '1');
    assert.equal(doc.get('s', 'b'), 'two');
    assert.equal(doc.get('s', 'c'), 'x=y');
    assert.equal(doc.get('s', 'd'), 'e = f');
    assert.equal(doc.get('s', 'url'), 'http://host:80/');
  });

  test('keys are lower-cased, section names are not', () => {
    const doc = parseIni(lines('[MySection]', 'Connection_Graph = g'), 'f.conf');
    assert.equal(doc.get('MySection', 'connection_graph'), 'g');
    assert.equal(doc.get('MySection', 'CONNECTION_GRAPH'), 'g');
    assert.deepEqual(doc.keys('MySection'), ['connection_graph']);
    assert.equal(doc.get('mysection', 'connection_graph'), undefined);
    assert.equal(doc.hasSection('MySection'), true);
  });

  test('an empty value is an empty string', () => {
    const doc = parseIni(lines('[s]', 'a =', 'b:'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '');
    assert.equal(doc.get('s', 'b'), '');
  });

  test('inline comments are part of the value', () => {
    const doc = parseIni(lines('[s]', 'a = 1 ; not a comment', 'b = x # nor this'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '1 ; not a comment');
    assert.equal(doc.get('s', 'b'), 'x # nor this');
  });

  test('full-line comments are dropped, indented or not', () => {
    const doc = parseIni(lines('# top', '[s]', '; one', '   # two', 'a = 1', '#a = 2'), 'f.conf');
    assert.deepEqual(doc.keys('s'), ['a']);
    assert.equal(doc.get('s', 'a'), '1');
  });

  test('sections are listed in order, without DEFAULT', () => {
    const doc = parseIni(lines('[b]', '[DEFAULT]', 'x = 1', '[a]'), 'f.conf');
    assert.deepEqual(doc.sections(), ['b', 'a']);
    assert.equal(doc.hasSection('DEFAULT'), false);
  });

  test('text after a section header is ignored, as configparser does', () => {
    const doc = parseIni(lines('[s] trailing', 'a = 1'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '1');
  });

  test('CRLF and CR line endings and a UTF-8 BOM are accepted', () => {
    const doc = parseIni('\uFEFF[s]\r\na = 1\r\ng =\r\n  x\r\n  y\r\nc = 3\rd = 4\r\n', 'f.conf');
    assert.equal(doc.get('s', 'a'), '1');
    assert.equal(doc.get('s', 'g'), '\nx\ny');
    assert.equal(doc.get('s', 'c'), '3');
    assert.equal(doc.get('s', 'd'), '4');
  });

  test('entries record their source and line', () => {
    const doc = parseIni(lines('[s]', '', 'a = 1'), 'dir/f.conf');
    const entry = doc.entry('s', 'a');
    assert.equal(entry?.source, 'dir/f.conf');
    assert.equal(entry.line, 3);
  });

  test('an unknown section or key reads as undefined', () => {
    const doc = parseIni(lines('[s]', 'a = 1'), 'f.conf');
    assert.equal(doc.get('s', 'b'), undefined);
    assert.equal(doc.get('t', 'a'), undefined);
    assert.deepEqual(doc.keys('t'), []);
  });
});

describe('parseIni: multi-line values', () => {
  test('lines indented deeper than the key continue the value, stripped', () => {
    const doc = parseIni(
      lines('[s]', 'g = digraph {', '    a -> b;', '      b -> c;', '  }', 'next = 1'),
      'f.conf',
    );
    assert.equal(doc.get('s', 'g'), 'digraph {\na -> b;\nb -> c;\n}');
    assert.equal(doc.get('s', 'next'), '1');
  });

  test('a value may start on the line after the key', () => {
    const doc = parseIni(lines('[s]', 'g =', '  x', '  y'), 'f.conf');
    assert.equal(doc.get('s', 'g'), '\nx\ny');
  });

  test('continuation is relative to the key indent, not column 0', () => {
    const doc = parseIni(lines('[s]', '  a = 1', '  b = 2', '    more'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '1');
    assert.equal(doc.get('s', 'b'), '2\nmore');
  });

  test('tabs count as indentation', () => {
    const doc = parseIni(lines('[s]', 'a = 1', '\tmore'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '1\nmore');
  });

  test('blank lines inside a value are kept; trailing ones are dropped', () => {
    const doc = parseIni(
      lines('[s]', 'g = one', '', '  two', '', '', '  three', '', '', 'h = 2', '', ''),
      'f.conf',
    );
    assert.equal(doc.get('s', 'g'), 'one\n\ntwo\n\n\nthree');
    assert.equal(doc.get('s', 'h'), '2');
  });

  test('comment lines inside a value are dropped and do not end it', () => {
    const doc = parseIni(
      lines('[s]', 'g =', '  digraph {', '    # node comment', '  ; another', '#flush', '  }'),
      'f.conf',
    );
    assert.equal(doc.get('s', 'g'), '\ndigraph {\n}');
  });

  test('an indented section header inside a value is value text', () => {
    const doc = parseIni(lines('[s]', 'g = a', '  [t]', 'h = 1'), 'f.conf');
    assert.equal(doc.get('s', 'g'), 'a\n[t]');
    assert.equal(doc.get('s', 'h'), '1');
    assert.deepEqual(doc.sections(), ['s']);
  });

  test('an indented line right after a section header is a key, not a continuation', () => {
    const doc = parseIni(lines('[s]', '   a = 1'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '1');
  });

  test('errors inside a value point at the physical line', () => {
    const doc = parseIni(lines('[s]', 'g =', '  a', '', '  # c', '  b 5%'), 'f.conf');
    assert.equal(doc.entry('s', 'g')?.valueLines.join(','), '2,3,4,6');
    assert.match(interpolationError(doc, 's', 'g').message, /^f\.conf:6: /);
  });

  test('each value line knows how many characters of its physical line precede it', () => {
    const doc = parseIni(lines('[s]', '  g  =  digraph {', '', '      a;', '   \tb }'), 'f.conf');
    const entry = doc.entry('s', 'g');
    assert.equal(entry?.value, 'digraph {\n\na;\nb }');
    assert.deepEqual(entry.valueColumns, [8, 0, 6, 4]);
  });

  test('the line of each section header is kept, the first one after a merge', () => {
    const first = parseIni(lines('# x', '[datalog]', 'a = 1'), 'one.conf');
    const second = parseIni(lines('[datalog]', 'b = 1', '[other]'), 'two.conf');
    assert.equal(first.headerLine('datalog'), 2);
    const merged = mergeIni(first, second);
    assert.equal(merged.headerLine('datalog'), 2);
    assert.equal(merged.headerLine('other'), 3);
    assert.equal(merged.headerLine('missing'), undefined);
  });
});

describe('parseIni: DEFAULT and interpolation', () => {
  test('DEFAULT keys are visible in every section and overridden by the section', () => {
    const doc = parseIni(lines('[DEFAULT]', 'a = d', 'b = d', '[s]', 'b = s'), 'f.conf');
    assert.equal(doc.get('s', 'a'), 'd');
    assert.equal(doc.get('s', 'b'), 's');
    assert.equal(doc.get('DEFAULT', 'b'), 'd');
    assert.deepEqual(doc.keys('s'), ['b']);
  });

  test('%% is a literal percent sign', () => {
    const doc = parseIni(lines('[s]', 'a = 50%% of 100%%', 'b = %%(x)s'), 'f.conf');
    assert.equal(doc.get('s', 'a'), '50% of 100%');
    assert.equal(doc.get('s', 'b'), '%(x)s');
    assert.equal(doc.getRaw('s', 'a'), '50%% of 100%%');
  });

  test('%(name)s takes another key of the section or DEFAULT, recursively', () => {
    const doc = parseIni(
      lines('[DEFAULT]', 'base = /opt', '[s]', 'dir = %(Base)s/plugins', 'list = [%(dir)s]'),
      'f.conf',
    );
    assert.equal(doc.get('s', 'dir'), '/opt/plugins');
    assert.equal(doc.get('s', 'list'), '[/opt/plugins]');
  });

  test('a DEFAULT value interpolates in the context of the section read', () => {
    const doc = parseIni(
      lines('[DEFAULT]', 'path = %(root)s/x', 'root = /d', '[s]', 'root = /s'),
      'f.conf',
    );
    assert.equal(doc.get('s', 'path'), '/s/x');
    assert.equal(doc.get('DEFAULT', 'path'), '/d/x');
  });

  test('a lone % is an error naming file, line, section and key', () => {
    const doc = parseIni(lines('[s]', '', 'a = 50% done'), 'conf/f.conf');
    const err = interpolationError(doc, 's', 'a');
    assert.match(err.message, /^conf\/f\.conf:3: \[s\] a: a "%" must be followed by "%" or "\("/);
    assert.match(err.message, /%%/);
    assert.equal(err.option, 'a');
  });

  test('a % at the end of a value is an error', () => {
    interpolationError(parseIni(lines('[s]', 'a = 5%'), 'f.conf'), 's', 'a');
  });

  test('a malformed reference is an error', () => {
    const doc = parseIni(lines('[s]', 'a = %(b)', 'b = 1', 'c = %()s'), 'f.conf');
    assert.match(interpolationError(doc, 's', 'a').message, /bad reference/);
    assert.match(interpolationError(doc, 's', 'c').message, /bad reference/);
  });

  test('a reference to a missing key is an error', () => {
    const doc = parseIni(lines('[s]', 'a = %(nope)s'), 'f.conf');
    assert.match(interpolationError(doc, 's', 'a').message, /"nope", which is not set in \[s\]/);
  });

  test('a reference loop is an error, not a stack overflow', () => {
    const doc = parseIni(lines('[s]', 'a = %(b)s', 'b = %(a)s'), 'f.conf');
    assert.match(interpolationError(doc, 's', 'a').message, /deeper than 10 levels/);
  });

  test('ten nested levels are allowed, as in configparser', () => {
    const chain = Array.from({ length: 10 }, (_, i) => `k${i} = %(k${i + 1})s`);
    const doc = parseIni(lines('[s]', ...chain, 'k10 = end'), 'f.conf');
    assert.equal(doc.get('s', 'k0'), 'end');
    const longer = parseIni(lines('[s]', 'x = %(k0)s', ...chain, 'k10 = end'), 'f.conf');
    interpolationError(longer, 's', 'x');
  });

  test('an error in a referenced value points at that value', () => {
    const doc = parseIni(lines('[s]', 'a = %(b)s', 'b = 5%'), 'f.conf');
    assert.match(interpolationError(doc, 's', 'a').message, /^f\.conf:3: \[s\] b: /);
  });
});

describe('parseIni: errors', () => {
  test('a key before any section header', () => {
    const problems = syntaxProblems(lines('# c', 'a = 1', 'b = 2', '[s]', 'c = 3'));
    assert.deepEqual(problems, ['f.conf:2: no [section] header before this line: "a = 1"']);
  });

  test('a line that is no header, key or continuation', () => {
    const problems = syntaxProblems(lines('[s]', 'g =', 'digraph {', '  a;', '}'));
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^f\.conf:3: expected "key = value".*found "digraph \{"$/);
    assert.match(problems[1]!, /^f\.conf:5: /);
  });

  test('a line with an empty key', () => {
    assert.match(syntaxProblems(lines('[s]', '= 1'))[0]!, /^f\.conf:2: expected/);
  });

  test('a section twice in one file', () => {
    assert.deepEqual(syntaxProblems(lines('[s]', 'a = 1', '[t]', '[s]', 'b = 2')), [
      'f.conf:4: section [s] appears twice (first at line 1)',
    ]);
  });

  test('DEFAULT may appear twice, as configparser allows', () => {
    assert.deepEqual(syntaxProblems(lines('[DEFAULT]', 'a = 1', '[DEFAULT]', 'b = 2')), []);
  });

  test('a key twice in one section, whatever its case', () => {
    assert.deepEqual(syntaxProblems(lines('[s]', 'a = 1', 'A = 2')), [
      'f.conf:3: key "a" is set twice in section [s] (first at line 2)',
    ]);
  });

  test('the same key in different sections is fine', () => {
    assert.deepEqual(syntaxProblems(lines('[s]', 'a = 1', '[t]', 'a = 2')), []);
  });

  test('every problem of a file is collected', () => {
    const problems = syntaxProblems(lines('x = 0', '[s]', 'a = 1', 'a = 2', 'junk', '[s]'));
    assert.deepEqual(
      problems.map((p) => p.split(':')[1]),
      ['1', '4', '5', '6'],
    );
  });

  test('parseIni throws the first problem as a DatalogdError', () => {
    assert.throws(
      () => parseIni(lines('[s]', 'junk', 'more junk'), 'bad.conf'),
      (err: unknown) =>
        err instanceof DatalogdError &&
        err.code === 'DATALOGD_ERR_CONFIG_SYNTAX' &&
        err.message.startsWith('bad.conf:2: '),
    );
  });

  test('an empty text is an empty document', () => {
    assert.deepEqual(parseIni('', 'f.conf').sections(), []);
  });
});

describe('mergeIni', () => {
  test('later documents override earlier ones key by key', () => {
    const site = parseIni(lines('[datalogd]', 'a = site', 'b = site', '[x]', 'k = 1'), 'site');
    const user = parseIni(lines('[datalogd]', 'b = user', 'c = user', '[y]'), 'user');
    const merged = mergeIni(site, user);
    assert.equal(merged.get('datalogd', 'a'), 'site');
    assert.equal(merged.get('datalogd', 'b'), 'user');
    assert.equal(merged.entry('datalogd', 'b')?.source, 'user');
    assert.equal(merged.get('datalogd', 'c'), 'user');
    assert.deepEqual(merged.sections(), ['datalogd', 'x', 'y']);
    assert.equal(site.get('datalogd', 'b'), 'site', 'inputs are not changed');
  });

  test('a section may appear in several files without being a duplicate', () => {
    const merged = mergeIni(
      parseIni(lines('[s]', 'a = 1'), 'one'),
      parseIni(lines('[s]', 'a = 2'), 'two'),
      parseIni(lines('[s]', 'b = 3'), 'three'),
    );
    assert.equal(merged.get('s', 'a'), '2');
    assert.equal(merged.get('s', 'b'), '3');
  });

  test('interpolation happens after merging, across files', () => {
    const merged = mergeIni(
      parseIni(lines('[s]', 'path = %(root)s/plugins', 'root = /site'), 'site'),
      parseIni(lines('[s]', 'root = /user'), 'user'),
    );
    assert.equal(merged.get('s', 'path'), '/user/plugins');
  });

  test('an empty merge is an empty document', () => {
    assert.deepEqual(mergeIni().sections(), []);
    assert.deepEqual(new IniDocument().sections(), []);
  });
});
