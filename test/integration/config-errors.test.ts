/**
 * Bad configuration gets a clear error, never a surprise: through the real command, every
 * problem of a file at once (exit status 1), each at the file's own line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CLI,
  DaemonProcess,
  makeSandbox,
  runDaemon,
  trackChild,
  type Sandbox,
} from '../helpers/daemon.js';
import { DURATIONS } from '../helpers/duration-options.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

async function writeConfig(name: string, text: string): Promise<string> {
  const file = join(sandbox.dir, name);
  await writeFile(file, text);
  return file;
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `"${needle}" is in the file`);
  return index + 1;
}

/** The problems of a "datalogd will not start" report, one per `  - [CODE] ...` line. */
function problemLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('  - ['));
}

async function refused(args: readonly string[]): Promise<{ stderr: string; problems: string[] }> {
  const { code, stderr } = await runDaemon(args, sandbox.env);
  assert.equal(code, 1, stderr);
  assert.doesNotMatch(stderr, /Starting event loop|the built-in demo graph runs/);
  const problems = problemLines(stderr);
  assert.match(
    stderr,
    new RegExp(`datalogd will not start: ${problems.length} configuration problems?:`),
  );
  return { stderr, problems };
}

describe('a configuration that gives no graph is an error, never the demo graph', () => {
  const cases: { name: string; text: string; needle: string; says: string }[] = [
    {
      name: 'a misspelt section',
      text: '[datalog]\nconnection_graph = digraph { a [class=NullDataSource] }\n',
      needle: '[datalog]',
      says: 'section [datalog] is not one datalogd reads (did you mean [datalogd]?)',
    },
    {
      name: 'a misspelt key',
      text: '; my lab\n[datalogd]\nconection_graph =\n    digraph { a [class=NullDataSource] }\n',
      needle: 'conection_graph',
      says: 'unknown key "conection_graph" in [datalogd] (did you mean "connection_graph"?)',
    },
  ];
  for (const c of cases) {
    test(`${c.name} in a -c file`, async () => {
      const file = await writeConfig('misspelt.conf', c.text);
      const { problems } = await refused(['-c', file]);
      assert.deepEqual(problems, [
        `  - [DATALOGD_ERR_CONFIG_NO_GRAPH] no connection graph: the configuration file ${file} does not set connection_graph in [datalogd], and no -g was given (the demo graph runs only when nothing is configured); write it as`,
        `  - [DATALOGD_ERR_CONFIG_UNKNOWN] ${file}:${lineOf(c.text, c.needle)}: ${c.says}`,
      ]);
    });
  }

  test('-g with an empty graph', async () => {
    const { problems } = await refused(['-g', '']);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /\[DATALOGD_ERR_CONFIG_NO_GRAPH\] -g gives an empty connection graph/,
    );
  });

  test('a user file with plugin paths but no graph (Python fails there too)', async () => {
    const dir = join(sandbox.env.XDG_CONFIG_HOME as string, 'datalogd');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'datalogd.conf');
    await writeFile(file, `[datalogd]\nplugin_paths = ['${sandbox.dir}']\n`);
    try {
      const { problems } = await refused([]);
      assert.equal(problems.length, 1);
      assert.ok(problems[0]?.includes(`the configuration file ${file} does not set`));
    } finally {
      await rm(file);
    }
  });
});

describe('every problem of a file at once, at the line the file shows', () => {
  test('an INI error, plugin path and graph problems together', async () => {
    const text = `[datalogd]
plugin_paths = ['/data/100%']
connection_graph =
    digraph {
      # a comment line, dropped by the INI reader
      walk [class=RandomWalkDataSorce];
      beat [class=HeartbeatDataSource, __proto__=1, interval=NaN];
      slow [class=HeartbeatDataSource, interval=1e7];
      influx [class=InfluxDBDataSink, timeout=3000000, retry_max=Infinity];
      walk -> influx;
      beat -> influx;
      slow -> ghost;
    }
stray line
`;
    const file = await writeConfig('many.conf', text);
    const at = (needle: string): string => `${file}:${lineOf(text, needle)}`;
    const { problems } = await refused(['-c', file]);
    assert.deepEqual(problems, [
      `  - [DATALOGD_ERR_CONFIG_SYNTAX] ${at('stray')}: expected "key = value", a [section] header, or a continuation line indented deeper than its key; found "stray line"`,
      `  - [DATALOGD_ERR_CONFIG_INTERPOLATION] ${at('plugin_paths')}: [datalogd] plugin_paths: a "%" must be followed by "%" or "(", found "%']"; write a literal % as %%`,
      `  - [DATALOGD_ERR_UNKNOWN_CLASS] ${at('walk [')}: node "walk": unknown class "RandomWalkDataSorce" (did you mean "RandomWalkDataSource"?)`,
      `  - [DATALOGD_ERR_OPTION_TYPE] ${at('beat [')}: node "beat": option "interval" of HeartbeatDataSource must be a finite number, not NaN (given NaN)`,
      `  - [DATALOGD_ERR_UNKNOWN_OPTION] ${at('beat [')}: node "beat": HeartbeatDataSource has no option "__proto__"; valid options: interval, counter, message`,
      `  - [DATALOGD_ERR_OPTION_TYPE] ${at('slow [')}: node "slow": option "interval" of HeartbeatDataSource must be at most 2147483 seconds (given 10000000)`,
      `  - [DATALOGD_ERR_OPTION_TYPE] ${at('influx [')}: node "influx": option "timeout" of InfluxDBDataSink must be at most 2147483 seconds (given 3000000)`,
      `  - [DATALOGD_ERR_OPTION_TYPE] ${at('influx [')}: node "influx": option "retry_max" of InfluxDBDataSink must be a finite number, not Infinity (given Infinity)`,
      `  - [DATALOGD_ERR_EDGE_UNKNOWN_NODE] ${at('slow -> ghost')}: edge slow -> ghost: node "ghost" is not declared; declare it with ghost [class=...]`,
    ]);
  });

  test('a DOT syntax error names the file, line and column', async () => {
    const text = `[datalogd]
connection_graph = digraph {
      a [class=NullDataSource;
    }
`;
    const file = await writeConfig('syntax.conf', text);
    const { problems } = await refused(['-c', file]);
    assert.equal(problems.length, 1);
    // The parser stops at the "}" of line 4, column 5 of the file.
    assert.match(
      problems[0] ?? '',
      new RegExp(
        `^  - \\[DATALOGD_ERR_GRAPH_SYNTAX\\] ${escape(file)}:4:5: the connection graph is not valid DOT: .*"\\}" found`,
      ),
    );
  });

  test('a graph on the command line keeps its own lines and columns', async () => {
    const { problems } = await refused(['-g', 'digraph {\n a [class=NullDataSource;\n}']);
    assert.match(problems[0] ?? '', /\[DATALOGD_ERR_GRAPH_SYNTAX\] line 3, column 1: /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('every duration option of every built-in, through the command', () => {
  /** What each class needs besides its durations to be checked at all. */
  const REQUIRED: Readonly<Record<string, string>> = {
    FileDataSink: 'filename="out.txt"',
    SQLiteDataSink: 'filename="out.db"',
  };
  const MAX = 2147483;

  test('one step beyond what a timer holds is refused, for each, naming node and option', async () => {
    const nodes: string[] = [];
    const expected: string[] = [];
    for (const [className, options] of Object.entries(DURATIONS)) {
      const timers = Object.entries(options).flatMap(([option, duration]) =>
        duration.kind === 'timer' ? [{ option, max: duration.max ?? MAX }] : [],
      );
      if (timers.length === 0) continue;
      const node = `n${nodes.length}`;
      const attributes = [
        `class=${className}`,
        ...(REQUIRED[className] === undefined ? [] : [REQUIRED[className]]),
        ...timers.map(({ option, max }) => `${option}=${max + 1}`),
      ];
      nodes.push(`  ${node} [${attributes.join(', ')}];`);
      for (const { option, max } of timers) {
        expected.push(
          `[DATALOGD_ERR_OPTION_TYPE] ${node}|${option}|must be at most ${max} seconds (given ${max + 1})`,
        );
      }
    }
    const text = `[datalogd]\nconnection_graph =\n  digraph {\n${nodes.map((n) => `  ${n}`).join('\n')}\n  }\n`;
    const file = await writeConfig('durations.conf', text);
    const { problems } = await refused(['-c', file]);
    const seen = problems.map((line) => {
      const match = /^ {2}- (\[\w+\]) (.+?):(\d+): node "(\w+)": option "(\w+)" of \w+ (.*)$/.exec(
        line,
      );
      assert.ok(match !== null, line);
      const [, code, where, lineNo, node, option, rest] = match;
      assert.equal(where, file);
      assert.equal(Number(lineNo), lineOf(text, `${node} [`), `${node} is reported at its line`);
      return `${code} ${node}|${option}|${rest}`;
    });
    assert.deepEqual(seen.sort(), expected.sort());
    assert.ok(expected.length >= 30, `${expected.length} duration options checked`);
  });
});

describe('a plugin import that never finishes', () => {
  async function pluginDir(name: string, files: Record<string, string>): Promise<string> {
    const dir = join(sandbox.dir, name);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    return dir;
  }

  test('is a configuration error naming the file, reported with the graph problems', async () => {
    // Awaits a promise nothing will settle: Node.js alone exits 13 here, with no message.
    const dir = await pluginDir('hanging-plugins', {
      'hang.mjs': 'await new Promise(() => {});\n',
    });
    const started = Date.now();
    const { code, stderr } = await runDaemon(
      ['-p', dir, '-g', 'digraph { a [class=NullDataSource, x=1] }'],
      { ...sandbox.env, DATALOGD_PLUGIN_IMPORT_TIMEOUT: '1' },
    );
    const elapsedMs = Date.now() - started;
    assert.equal(code, 1, stderr);
    assert.deepEqual(problemLines(stderr), [
      `  - [DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT] plugin file ${join(dir, 'hang.mjs')} did not finish importing within 1 s: its top-level code awaits something that does not settle (do slow work in start(); DATALOGD_PLUGIN_IMPORT_TIMEOUT=SECONDS allows longer)`,
      '  - [DATALOGD_ERR_UNKNOWN_OPTION] line 1: node "a": NullDataSource has no option "x"; valid options: (none)',
    ]);
    // 1 s of waiting, plus start-up on a loaded machine; the 10 s default would be far more.
    assert.ok(elapsedMs >= 1000 && elapsedMs < 8000, `took ${elapsedMs} ms`);
  });

  test('an import that is slow but finishes in time loads, and the daemon runs', async () => {
    const dir = await pluginDir('slow-plugins', {
      'slow.mjs':
        'await new Promise((resolve) => setTimeout(resolve, 300));\nexport const ready = true;\n',
    });
    const daemon = new DaemonProcess(['-p', dir, '-g', 'digraph { a [class=NullDataSource] }'], {
      ...sandbox.env,
      DATALOGD_PLUGIN_IMPORT_TIMEOUT: '20',
    });
    await daemon.waitForStderr(/Starting event loop/, 20_000);
    assert.equal(await daemon.stop(), 0);
  });

  test('a DATALOGD_PLUGIN_IMPORT_TIMEOUT that is not a duration is refused', async () => {
    const dir = await pluginDir('no-plugins', {});
    const { code, stderr } = await runDaemon(
      ['-p', dir, '-g', 'digraph { a [class=NullDataSource] }'],
      { ...sandbox.env, DATALOGD_PLUGIN_IMPORT_TIMEOUT: 'soon' },
    );
    assert.equal(code, 1);
    assert.deepEqual(problemLines(stderr), [
      '  - [DATALOGD_ERR_PLUGIN_IMPORT_TIMEOUT] DATALOGD_PLUGIN_IMPORT_TIMEOUT="soon" is not a number of seconds above 0 and at most 2147483',
    ]);
  });
});

describe('too low an open-file limit', () => {
  // Below about 19 Node.js itself cannot start; from there to about 100, datalogd cannot
  // load its modules (Node.js reads them many at a time).
  for (const limit of [20, 60]) {
    test(`ulimit -n ${limit}: one clear line, no stack trace`, async () => {
      const command = `ulimit -n ${limit}; exec "${process.execPath}" "${CLI}" -g 'digraph { a [class=RandomWalkDataSource]; b [class=PrintDataSink]; a -> b }'`;
      const { code, stderr } = await runCommand('bash', ['-c', command], sandbox.env);
      assert.equal(code, 1, stderr);
      const lines = stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0] ?? '',
        new RegExp(
          `datalogd will not start: \\[DATALOGD_ERR_OPEN_FILES_LIMIT\\] too many open files \\(EMFILE\\): the open-file limit is ${limit} \\(ulimit -Hn.*ulimit -n 4096 .*LimitNOFILE=4096`,
        ),
      );
    });
  }
});

function runCommand(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
    trackChild(child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stderr });
    });
  });
}
