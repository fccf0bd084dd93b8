import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadConfigOptions, loadConfig, readConfig } from '../../../src/config/load.js';
import { ConfigurationErrors, type DatalogdError } from '../../../src/core/errors.js';
import { setLogWriter } from '../../../src/core/log.js';

const PYTHON_STYLE = `[datalogd]
# a comment
plugin_paths = ['/opt/datalogd-plugins']
connection_graph =
    digraph {
      # node comment inside the graph
      a [class=RandomWalkDataSource, interval=1.5, walkers="[[100, 5], [50, 2.5]]"];
      ; another comment
      s [class=LoggingDataSink];
      a -> s;
    }
`;

const PYTHON_STYLE_GRAPH = [
  'digraph {',
  'a [class=RandomWalkDataSource, interval=1.5, walkers="[[100, 5], [50, 2.5]]"];',
  's [class=LoggingDataSink];',
  'a -> s;',
  '}',
].join('\n');

/** For tests about other keys: a graph on the command line, so the files need none. */
const ANY_GRAPH = 'digraph { a }';

let root: string;
let counter = 0;

/** A fresh set of directories per test: site and user config dirs, a home, a work dir. */
interface Setup {
  readonly siteFile: string;
  readonly userFile: string;
  readonly dir: string;
  readonly options: LoadConfigOptions & { env: NodeJS.ProcessEnv; home: string };
  write(file: string, text: string | Buffer): Promise<string>;
}

async function setup(): Promise<Setup> {
  counter += 1;
  const dir = path.join(root, `case${counter}`);
  const env = { XDG_CONFIG_DIRS: path.join(dir, 'site'), XDG_CONFIG_HOME: path.join(dir, 'user') };
  const home = path.join(dir, 'home');
  await mkdir(home, { recursive: true });
  return {
    siteFile: path.join(dir, 'site', 'datalogd', 'datalogd.conf'),
    userFile: path.join(dir, 'user', 'datalogd', 'datalogd.conf'),
    dir,
    options: { env, home },
    async write(file, text) {
      const full = path.resolve(dir, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
      return full;
    },
  };
}

async function problemsOf(promise: Promise<unknown>): Promise<readonly DatalogdError[]> {
  try {
    await promise;
  } catch (err) {
    assert.ok(
      err instanceof ConfigurationErrors,
      `expected ConfigurationErrors, got ${String(err)}`,
    );
    return err.problems;
  }
  assert.fail('expected loadConfig to reject');
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'datalogd-config-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The daemon's own keys when no file sets them: status every 5 minutes, no web server. */
const DEFAULTS = {
  statusIntervalS: 300,
  http: undefined,
  httpToken: undefined,
  shutdownTimeoutMs: undefined,
};

describe('loadConfig', () => {
  test('reads a Python-style user file unchanged', async () => {
    const s = await setup();
    await s.write(s.userFile, PYTHON_STYLE);
    const config = await loadConfig(s.options);
    assert.deepEqual(config, {
      connectionGraph: PYTHON_STYLE_GRAPH,
      unconfigured: false,
      graphFrom: s.userFile,
      // the file's line of each graph line, skipping the comment lines the INI drops
      graphLines: [5, 7, 9, 10, 11],
      // and the indentation before each, so that columns can be given as the file shows them
      graphColumns: [4, 6, 6, 6, 4],
      pluginPaths: ['/opt/datalogd-plugins'],
      filesRead: [s.userFile],
      filesLookedFor: [s.siteFile, s.userFile],
      settings: DEFAULTS,
    });
  });

  test('shutdown_timeout is read in seconds; a value that is not a positive number is a problem at its line', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nconnection_graph = digraph { a }\nshutdown_timeout = 2.5\n',
    );
    assert.equal((await loadConfig(s.options)).settings.shutdownTimeoutMs, 2500);
    for (const bad of ['0', '-1', 'soon', '1e7']) {
      await s.write(
        s.userFile,
        `[datalogd]\nconnection_graph = digraph { a }\nshutdown_timeout = ${bad}\n`,
      );
      const problems = await problemsOf(loadConfig(s.options));
      assert.equal(problems.length, 1, bad);
      const [problem] = problems;
      assert.ok(problem !== undefined);
      assert.equal(problem.code, 'DATALOGD_ERR_OPTION_TYPE');
      assert.match(
        problem.message,
        new RegExp(
          `datalogd\\.conf:3: \\[datalogd\\] shutdown_timeout: "${bad}" is not a number of seconds`,
        ),
      );
    }
  });

  test('with no file at all there is no graph and no plugin path', async () => {
    const s = await setup();
    const config = await loadConfig({ ...s.options, pluginDirs: ['cli-plugins'] });
    assert.deepEqual(config, {
      connectionGraph: undefined,
      unconfigured: true,
      graphFrom: 'none',
      graphLines: [],
      graphColumns: [],
      pluginPaths: ['cli-plugins'],
      filesRead: [],
      filesLookedFor: [s.siteFile, s.userFile],
      settings: DEFAULTS,
    });
  });

  test('status_interval, http and http_token_env are read from [datalogd]; --http wins', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nstatus_interval = 2.5\nhttp = 0.0.0.0:9100\nhttp_token_env = OBS_TOKEN\nconnection_graph = digraph { a }\n',
    );
    const env = { ...s.options.env, OBS_TOKEN: 'sekrit' };
    const config = await loadConfig({ ...s.options, env });
    assert.deepEqual(config.settings, {
      statusIntervalS: 2.5,
      http: { host: '0.0.0.0', port: 9100 },
      httpToken: 'sekrit',
      shutdownTimeoutMs: undefined,
    });
    const flagged = await loadConfig({ ...s.options, env, http: '9200' });
    assert.deepEqual(flagged.settings.http, { host: '127.0.0.1', port: 9200 });
    const problems = await problemsOf(loadConfig({ ...s.options, env: s.options.env }));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]?.message ?? '',
      /http_token_env: the environment variable OBS_TOKEN is not set/,
    );
  });

  test('site, user and -c files are read in order, later keys winning', async () => {
    const s = await setup();
    await s.write(
      s.siteFile,
      "[datalogd]\nplugin_paths = ['/site/plugins']\nconnection_graph = digraph { site }\n",
    );
    await s.write(s.userFile, '[datalogd]\nconnection_graph = digraph { user }\n');
    const extra = await s.write('extra.conf', '[datalogd]\nconnection_graph =\n  digraph { c }\n');
    const config = await loadConfig({
      ...s.options,
      configFile: extra,
      pluginDirs: ['/p1', '/p2'],
    });
    assert.equal(config.connectionGraph, 'digraph { c }');
    assert.equal(config.graphFrom, extra);
    assert.deepEqual(config.graphLines, [3], 'the graph starts on the line after its key');
    assert.deepEqual(config.pluginPaths, ['/site/plugins', '/p1', '/p2']);
    assert.deepEqual(config.filesRead, [s.siteFile, s.userFile, extra]);
    assert.deepEqual(config.filesLookedFor, [s.siteFile, s.userFile, extra]);
  });

  test('the user file is used where the -c file does not set a key', async () => {
    const s = await setup();
    await s.write(s.userFile, '[datalogd]\nconnection_graph = digraph { user }\n');
    const extra = await s.write('extra.conf', "[datalogd]\nplugin_paths = ['/c']\n");
    const config = await loadConfig({ ...s.options, configFile: extra });
    assert.equal(config.connectionGraph, 'digraph { user }');
    assert.equal(config.graphFrom, s.userFile);
    assert.deepEqual(config.pluginPaths, ['/c']);
  });

  test('-g overrides the graph of every file, stripped', async () => {
    const s = await setup();
    await s.write(s.userFile, PYTHON_STYLE);
    const extra = await s.write('extra.conf', '[datalogd]\nconnection_graph = digraph { c }\n');
    const config = await loadConfig({
      ...s.options,
      configFile: extra,
      graphDot: '  digraph { g }\n',
    });
    assert.equal(config.connectionGraph, 'digraph { g }');
    assert.equal(config.graphFrom, 'command line');
    assert.deepEqual(config.graphLines, []);
    assert.deepEqual(config.pluginPaths, ['/opt/datalogd-plugins']);
  });

  test('a graph that %(name)s interpolation gives more lines has no file lines (they would be wrong)', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nnodes = a [class=NullDataSource];\n  b [class=NullDataSink];\nconnection_graph = digraph { %(nodes)s }\n',
    );
    const config = await loadConfig(s.options);
    assert.equal(
      config.connectionGraph,
      'digraph { a [class=NullDataSource];\nb [class=NullDataSink]; }',
    );
    assert.deepEqual(config.graphLines, []);
  });

  test('-g is used even when the graph in a file could not be interpolated', async () => {
    const s = await setup();
    await s.write(s.userFile, '[datalogd]\nconnection_graph = digraph { a [x="5%"] }\n');
    const config = await loadConfig({ ...s.options, graphDot: 'digraph { g }' });
    assert.equal(config.connectionGraph, 'digraph { g }');
  });

  test('%% in a value is a literal percent sign', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nconnection_graph =\n  digraph {\n    a [class=X, label="100%%"];\n  }\n',
    );
    const config = await loadConfig(s.options);
    assert.equal(config.connectionGraph, 'digraph {\na [class=X, label="100%"];\n}');
  });

  test('a lone % is reported with file and line', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nconnection_graph =\n  digraph {\n    a [x="5%"];\n  }\n',
    );
    const problems = await problemsOf(loadConfig(s.options));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'DATALOGD_ERR_CONFIG_INTERPOLATION');
    assert.match(problems[0].message, new RegExp(`^${escape(s.userFile)}:4: `));
  });

  test('a missing -c file is an error, missing site and user files are not', async () => {
    const s = await setup();
    const missing = path.join(s.dir, 'nope.conf');
    const problems = await problemsOf(loadConfig({ ...s.options, configFile: missing }));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'DATALOGD_ERR_CONFIG_READ');
    assert.equal(problems[0].message, `${missing}: configuration file not found`);
  });

  test('a -c path that is a directory cannot be read', async () => {
    const s = await setup();
    const problems = await problemsOf(loadConfig({ ...s.options, configFile: s.dir }));
    assert.equal(problems[0]?.code, 'DATALOGD_ERR_CONFIG_READ');
    assert.match(problems[0].message, /cannot read configuration file/);
  });

  test('a user file that exists but is unreadable is reported, not skipped', async () => {
    const s = await setup();
    await mkdir(s.userFile, { recursive: true });
    const problems = await problemsOf(loadConfig(s.options));
    assert.deepEqual(
      problems.map((p) => p.code),
      ['DATALOGD_ERR_CONFIG_READ'],
    );
    assert.ok(problems[0]?.message.startsWith(s.userFile));
  });

  test('a file that is not UTF-8 is reported', async () => {
    const s = await setup();
    await s.write(s.userFile, Buffer.from([0x5b, 0x73, 0x5d, 0x0a, 0xff, 0xfe, 0x0a]));
    const problems = await problemsOf(loadConfig(s.options));
    assert.match(problems[0]?.message ?? '', /not valid UTF-8/);
  });

  test('a syntax error is reported with file and line', async () => {
    const s = await setup();
    await s.write(s.userFile, '[datalogd]\nconnection_graph =\ndigraph {\n  a [class=X];\n}\n');
    const problems = await problemsOf(loadConfig(s.options));
    assert.deepEqual(
      problems.map((p) => [p.code, p.message.split(': ')[0]]),
      [
        ['DATALOGD_ERR_CONFIG_SYNTAX', `${s.userFile}:3`],
        ['DATALOGD_ERR_CONFIG_SYNTAX', `${s.userFile}:5`],
      ],
    );
  });

  test('problems of every file are collected into one error', async () => {
    const s = await setup();
    await s.write(s.siteFile, 'key = before header\n[datalogd]\n');
    await s.write(s.userFile, '[datalogd]\nplugin_paths = 5%\n');
    const extra = await s.write('extra.conf', '[datalogd]\n[datalogd]\n');
    const problems = await problemsOf(
      loadConfig({ ...s.options, configFile: extra, graphDot: ANY_GRAPH }),
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.message.split(': ')[0]]),
      [
        ['DATALOGD_ERR_CONFIG_SYNTAX', `${s.siteFile}:1`],
        ['DATALOGD_ERR_CONFIG_SYNTAX', `${extra}:2`],
        ['DATALOGD_ERR_CONFIG_INTERPOLATION', `${s.userFile}:2`],
      ],
    );
  });

  test('relative plugin paths resolve against their file; ~ is the home directory', async () => {
    const s = await setup();
    const extra = await s.write(
      'conf/extra.conf',
      "[datalogd]\nplugin_paths = ['plugins', '../shared', '~/mine', '/abs']\n",
    );
    const config = await loadConfig({
      ...s.options,
      configFile: extra,
      pluginDirs: ['rel'],
      graphDot: ANY_GRAPH,
    });
    assert.deepEqual(config.pluginPaths, [
      path.join(s.dir, 'conf', 'plugins'),
      path.join(s.dir, 'shared'),
      path.join(s.options.home, 'mine'),
      '/abs',
      'rel',
    ]);
  });

  test('a relative -c path resolves plugin paths against its own directory', async () => {
    const s = await setup();
    await s.write('conf/extra.conf', "[datalogd]\nplugin_paths = ['plugins']\n");
    const relative = path.relative(process.cwd(), path.join(s.dir, 'conf', 'extra.conf'));
    const config = await loadConfig({ ...s.options, configFile: relative, graphDot: ANY_GRAPH });
    assert.deepEqual(config.pluginPaths, [path.join(s.dir, 'conf', 'plugins')]);
    assert.deepEqual(config.filesRead, [relative]);
  });

  test('plugin_paths may be a bare path, or empty', async () => {
    const s = await setup();
    const options = { ...s.options, graphDot: ANY_GRAPH };
    await s.write(s.userFile, '[datalogd]\nplugin_paths = /opt/one\n');
    assert.deepEqual((await loadConfig(options)).pluginPaths, ['/opt/one']);
    const extra = await s.write('empty.conf', '[datalogd]\nplugin_paths =\n');
    assert.deepEqual((await loadConfig({ ...options, configFile: extra })).pluginPaths, []);
    const list = await s.write('list.conf', '[datalogd]\nplugin_paths = []\n');
    assert.deepEqual((await loadConfig({ ...options, configFile: list })).pluginPaths, []);
  });

  test('a plugin_paths entry that is not a path is reported', async () => {
    const s = await setup();
    await s.write(s.userFile, "[datalogd]\n\nplugin_paths = ['/ok', 5, null]\n");
    const problems = await problemsOf(loadConfig({ ...s.options, graphDot: ANY_GRAPH }));
    assert.deepEqual(
      problems.map((p) => p.code),
      ['DATALOGD_ERR_PLUGIN_DIR', 'DATALOGD_ERR_PLUGIN_DIR'],
    );
    assert.match(problems[0]?.message ?? '', new RegExp(`^${escape(s.userFile)}:3: .*entry 5 `));
    assert.match(problems[1]?.message ?? '', /entry null /);
  });

  test('[DEFAULT] keys feed interpolation but never set the two datalogd keys', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      "[DEFAULT]\nconnection_graph = digraph { d }\nroot = /r\n[datalogd]\nplugin_paths = ['%(root)s/p']\n",
    );
    const { config, problems } = await readConfig(s.options);
    assert.equal(config.connectionGraph, undefined);
    assert.equal(config.graphFrom, 'none');
    assert.deepEqual(config.pluginPaths, ['/r/p']);
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        `no connection graph: the configuration file ${s.userFile} does not set connection_graph in [datalogd], and no -g was given (the demo graph runs only when nothing is configured); write it as\n      [datalogd]\n      connection_graph =\n          digraph { a [class=RandomWalkDataSource]; b [class=PrintDataSink]; a -> b }`,
        `${s.userFile}:2: connection_graph is in section [DEFAULT]; datalogd reads it only from [datalogd]`,
      ],
    );
  });

  test('a BOM and CRLF line endings are accepted', async () => {
    const s = await setup();
    await s.write(s.userFile, '\uFEFF' + PYTHON_STYLE.replaceAll('\n', '\r\n'));
    const config = await loadConfig(s.options);
    assert.equal(config.connectionGraph, PYTHON_STYLE_GRAPH);
  });

  test('an unknown key beside a graph is warned about with a suggestion, and ignored', async () => {
    const s = await setup();
    await s.write(
      s.userFile,
      '[datalogd]\nconnection_graph = digraph {}\nplugin_path = x\n[other]\nfoo = 1\n',
    );
    const lines: string[] = [];
    const previous = setLogWriter((line) => lines.push(line));
    try {
      const config = await loadConfig(s.options);
      assert.equal(config.connectionGraph, 'digraph {}');
    } finally {
      setLogWriter(previous);
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', / WARNING \[config\] /);
    assert.ok(
      lines[0]?.endsWith(
        `${s.userFile}:3: unknown key "plugin_path" in [datalogd] (did you mean "plugin_paths"?); ignored`,
      ),
      lines[0],
    );
  });

  describe('a configuration without a graph is an error, never the demo', () => {
    const cases: { name: string; text: string; expected: [string, string][] }[] = [
      {
        name: 'a misspelt section',
        text: '[datalog]\nconnection_graph = digraph { a }\n',
        expected: [
          ['DATALOGD_ERR_CONFIG_NO_GRAPH', 'no connection graph: the configuration file'],
          [
            'DATALOGD_ERR_CONFIG_UNKNOWN',
            ':1: section [datalog] is not one datalogd reads (did you mean [datalogd]?)',
          ],
        ],
      },
      {
        name: 'a section in the wrong case',
        text: '[Datalogd]\nconnection_graph = digraph { a }\n',
        expected: [
          ['DATALOGD_ERR_CONFIG_NO_GRAPH', 'no connection graph'],
          ['DATALOGD_ERR_CONFIG_UNKNOWN', ':1: section [Datalogd] is not one datalogd reads'],
        ],
      },
      {
        name: 'a misspelt key',
        text: '# lab\n[datalogd]\nconection_graph = digraph { a }\n',
        expected: [
          ['DATALOGD_ERR_CONFIG_NO_GRAPH', 'no connection graph'],
          [
            'DATALOGD_ERR_CONFIG_UNKNOWN',
            ':3: unknown key "conection_graph" in [datalogd] (did you mean "connection_graph"?)',
          ],
        ],
      },
      {
        name: 'the key in another section',
        text: '[datalogd]\n[graphs]\nconnection_graph = digraph { a }\n',
        expected: [
          ['DATALOGD_ERR_CONFIG_NO_GRAPH', 'no connection graph'],
          [
            'DATALOGD_ERR_CONFIG_UNKNOWN',
            ':3: connection_graph is in section [graphs]; datalogd reads it only from [datalogd]',
          ],
        ],
      },
      {
        name: 'an empty graph',
        text: '[datalogd]\nconnection_graph =\n',
        expected: [['DATALOGD_ERR_CONFIG_NO_GRAPH', ':2: [datalogd] connection_graph is empty']],
      },
      {
        name: 'an empty file',
        text: '',
        expected: [['DATALOGD_ERR_CONFIG_NO_GRAPH', 'no connection graph']],
      },
    ];
    for (const c of cases) {
      test(`${c.name}, given with -c`, async () => {
        const s = await setup();
        const file = await s.write('lab.conf', c.text);
        const problems = await problemsOf(loadConfig({ ...s.options, configFile: file }));
        assert.deepEqual(
          problems.map((p) => p.code),
          c.expected.map(([code]) => code),
        );
        c.expected.forEach(([, text], i) => {
          const message = problems[i]?.message ?? '';
          assert.ok(message.includes(text), `${message}\nlacks: ${text}`);
        });
      });
    }

    test('a user file without a graph is an error too (Python fails there as well)', async () => {
      const s = await setup();
      await s.write(s.userFile, "[datalogd]\nplugin_paths = ['/p']\n");
      const problems = await problemsOf(loadConfig(s.options));
      assert.deepEqual(
        problems.map((p) => p.code),
        ['DATALOGD_ERR_CONFIG_NO_GRAPH'],
      );
      assert.ok(problems[0]?.message.includes(s.userFile));
    });

    test('-g with no text, or only blanks, is an error', async () => {
      const s = await setup();
      for (const graphDot of ['', ' \n\t ']) {
        const problems = await problemsOf(loadConfig({ ...s.options, graphDot }));
        assert.deepEqual(
          problems.map((p) => p.code),
          ['DATALOGD_ERR_CONFIG_NO_GRAPH'],
        );
        assert.match(problems[0]?.message ?? '', /^-g gives an empty connection graph; /);
      }
    });

    test('only when nothing at all is configured is there no graph and no problem', async () => {
      const s = await setup();
      const { config, problems } = await readConfig(s.options);
      assert.deepEqual(
        [config.unconfigured, config.connectionGraph, problems],
        [true, undefined, []],
      );
      const missing = await readConfig({ ...s.options, configFile: path.join(s.dir, 'nope') });
      assert.equal(missing.config.unconfigured, false, 'a -c file that is missing configures');
      assert.deepEqual(
        missing.problems.map((p) => p.code),
        ['DATALOGD_ERR_CONFIG_READ'],
        'and is the one problem: it explains the missing graph',
      );
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
