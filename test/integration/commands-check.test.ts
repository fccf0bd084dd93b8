/**
 * `datalogd check` (alias `validate`), through the real command: valid and broken
 * configurations, the exit codes, the problems as text and as `--json` with file and line,
 * the asynchronous checks (a rules file, an expression) found, and no node created.
 */
import assert from 'node:assert/strict';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';
import { waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
let pluginDir: string;

before(async () => {
  sandbox = await makeSandbox();
  pluginDir = join(sandbox.dir, 'plugins');
  await mkdir(pluginDir);
  // Leaves a file when it is created and another when it is started, so a test can see
  // whether check created or started any node.
  await writeFile(
    join(pluginDir, 'marker.mjs'),
    `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSink, z } from 'datalogd';

export class MarkerDataSink extends DataSink {
  static description = 'Leaves a file named constructed, then one named started, in dir.';
  static optionsSchema = z.object({ dir: z.string().describe('Where the files go.') });
  constructor(options) {
    super();
    this.dir = options.dir;
    writeFileSync(join(this.dir, 'constructed'), '');
  }
  start() {
    writeFileSync(join(this.dir, 'started'), '');
  }
  receive() {}
}
`,
  );
});
after(async () => {
  await sandbox.cleanup();
});

interface ProblemJson {
  code: string;
  node: string | null;
  option: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

/** Writes a config file; returns its path and the 1-based line of each text's first match. */
async function writeConfig(
  name: string,
  text: string,
): Promise<{ file: string; lineOf: (needle: string) => number }> {
  const file = join(sandbox.dir, name);
  await writeFile(file, text);
  const lines = text.split('\n');
  return {
    file,
    lineOf: (needle) => {
      const index = lines.findIndex((line) => line.includes(needle));
      assert.ok(index >= 0, `${needle} is in ${name}`);
      return index + 1;
    },
  };
}

function parseProblems(stdout: string): ProblemJson[] {
  const parsed: unknown = JSON.parse(stdout);
  assert.ok(Array.isArray(parsed), 'check --json prints a list');
  for (const problem of parsed as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(problem), [
      'code',
      'node',
      'option',
      'file',
      'line',
      'column',
      'message',
    ]);
  }
  return parsed as ProblemJson[];
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

test('a valid configuration: exit 0, one OK line, and [] with --json', async () => {
  const { file } = await writeConfig(
    'valid.conf',
    `[datalogd]
connection_graph =
    digraph {
      walk [class=RandomWalkDataSource, interval=0.5];
      stamp [class=TimeStampDataFilter];
      out [class=NullDataSink];
      walk -> stamp -> out;
      stamp -> out;
    }
`,
  );
  const text = await runDaemon(['check', '-c', file], sandbox.env);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout, `OK: 3 nodes, 2 edges (graph from ${file})`);
  // A warning is said, on stderr, and does not fail the check (it does not stop the daemon).
  assert.match(text.stderr, /WARNING .*valid\.conf:\d+: edge stamp -> out appears 2 times/);
  assert.doesNotMatch(text.stderr, /Loaded config from/, 'info lines are not shown by default');

  const json = await runDaemon(['validate', '-c', file, '--json'], sandbox.env);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(parseProblems(json.stdout), []);
});

test('a broken configuration: every problem, with the config file line, the async ones too', async () => {
  const badRules = join(sandbox.dir, 'bad-rules.json');
  await writeFile(
    badRules,
    JSON.stringify([
      {
        selector: [['id', 'a']],
        update: { sensor_identifier: 'probe' },
        eval: { value: 'value * (2' },
      },
    ]),
  );
  const missingRules = join(sandbox.dir, 'no-such-rules.json');
  const { file, lineOf } = await writeConfig(
    'broken.conf',
    `; check must find every one of these
[datalogd]
connection_graph =
    digraph {
      walk [class=RandomWalkDataSurce];
      stamp [class=TimeStampDataFilter, bogus=1];
      ident [class=SensorIdentifierDataFilter, rules="${badRules}"];
      gone [class=SensorIdentifierDataFilter, rules="${missingRules}"];
      out [class=NullDataSink];
      ident -> out;
      gone -> out;
      stamp -> nowhere;
    }
`,
  );
  const { code, stdout, stderr } = await runDaemon(['check', '-c', file, '--json'], sandbox.env);
  assert.equal(code, 1, stderr);
  const problems = parseProblems(stdout);
  const byCode = (c: string): ProblemJson[] => problems.filter((p) => p.code === c);

  const unknownClass = byCode('DATALOGD_ERR_UNKNOWN_CLASS');
  assert.equal(unknownClass.length, 1);
  assert.deepEqual(
    { ...unknownClass[0], message: undefined },
    {
      code: 'DATALOGD_ERR_UNKNOWN_CLASS',
      node: 'walk',
      option: 'class',
      file,
      line: lineOf('walk [class'),
      column: null,
      message: undefined,
    },
  );
  assert.match(unknownClass[0]?.message ?? '', /did you mean "RandomWalkDataSource"\?/);
  assert.ok(unknownClass[0]?.message.startsWith(`${file}:${lineOf('walk [class')}: `));

  const unknownOption = byCode('DATALOGD_ERR_UNKNOWN_OPTION');
  assert.deepEqual(
    unknownOption.map((p) => [p.node, p.option, p.file, p.line]),
    [['stamp', 'bogus', file, lineOf('stamp [class')]],
  );

  const edge = byCode('DATALOGD_ERR_EDGE_UNKNOWN_NODE');
  assert.deepEqual(
    edge.map((p) => [p.node, p.file, p.line]),
    [['nowhere', file, lineOf('stamp -> nowhere')]],
  );

  // The asynchronous checks: the plugin's validate hook read one rules file and compiled its
  // expression, and failed to read the other. Both point at their node's line.
  const rules = byCode('DATALOGD_ERR_RULES');
  assert.deepEqual(
    rules.map((p) => [p.node, p.option, p.file, p.line]),
    [
      ['ident', 'rules', file, lineOf('ident [class')],
      ['gone', 'rules', file, lineOf('gone [class')],
    ],
  );
  assert.match(rules[0]?.message ?? '', /expression "value \* \(2" does not compile/);
  assert.match(rules[1]?.message ?? '', /cannot read rules file .*no-such-rules\.json/);
  assert.equal(problems.length, 5, stdout);

  // Without --json, the same problems as the daemon logs them when it refuses to start.
  const text = await runDaemon(['check', '-c', file], sandbox.env);
  assert.equal(text.code, 1);
  assert.equal(text.stdout.split('\n')[0], '5 configuration problems:');
  for (const problem of problems) {
    assert.ok(text.stdout.includes(`  - [${problem.code}] ${problem.message}`), problem.message);
  }
  const daemon = await runDaemon(['-c', file], sandbox.env);
  assert.equal(daemon.code, 1);
  for (const problem of problems) assert.ok(daemon.stderr.includes(problem.message));
});

test('an INI mistake names its file and line; a -g graph its own line and column', async () => {
  const { file, lineOf } = await writeConfig(
    'syntax.conf',
    `[datalogd]
connection_graph = digraph { a [class=NullDataSource] }
this line has no equals sign
`,
  );
  const ini = await runDaemon(['check', '-c', file, '--json'], sandbox.env);
  assert.equal(ini.code, 1);
  const [syntax] = parseProblems(ini.stdout);
  assert.deepEqual(
    [syntax?.code, syntax?.file, syntax?.line],
    ['DATALOGD_ERR_CONFIG_SYNTAX', file, lineOf('no equals')],
  );

  const dot = await runDaemon(
    ['check', '--json', '-g', 'digraph {\n  a [class=NullDataSource];\n  a -> ;\n}'],
    sandbox.env,
  );
  assert.equal(dot.code, 1);
  const [graph] = parseProblems(dot.stdout);
  assert.ok(graph !== undefined);
  assert.deepEqual(
    [graph.code, graph.file, graph.line, graph.column],
    ['DATALOGD_ERR_GRAPH_SYNTAX', null, 3, 8],
  );

  const missing = join(sandbox.dir, 'absent.conf');
  const read = await runDaemon(['check', '-c', missing, '--json'], sandbox.env);
  assert.equal(read.code, 1);
  assert.deepEqual(
    parseProblems(read.stdout).map((p) => [p.code, p.file, p.line]),
    [['DATALOGD_ERR_CONFIG_READ', missing, null]],
  );
});

test('a plugin file that fails to load is a problem that names the file', async () => {
  const badDir = join(sandbox.dir, 'bad plugins');
  await mkdir(badDir);
  const broken = join(badDir, 'broken.mjs');
  await writeFile(broken, 'export class BrokenDataSink extends {\n');
  const { code, stdout } = await runDaemon(
    ['check', '--json', '-p', badDir, '-g', 'digraph { a [class=NullDataSource] }'],
    sandbox.env,
  );
  assert.equal(code, 1);
  assert.deepEqual(
    parseProblems(stdout).map((p) => [p.code, p.file]),
    [['DATALOGD_ERR_PLUGIN_LOAD', broken]],
  );
});

test('check creates and starts no node; the daemon, given the same graph, does both', async () => {
  const marks = join(sandbox.dir, 'marks');
  await mkdir(marks);
  const graph = `digraph { hb [class=HeartbeatDataSource, interval=0.1]; mark [class=MarkerDataSink, dir="${marks}"]; hb -> mark }`;
  const checked = await runDaemon(['check', '-p', pluginDir, '-g', graph], sandbox.env);
  assert.equal(checked.code, 0, checked.stderr);
  assert.equal(checked.stdout, 'OK: 2 nodes, 1 edge (graph from command line)');
  assert.equal(await exists(join(marks, 'constructed')), false, 'check created no node');
  assert.equal(await exists(join(marks, 'started')), false, 'check started no node');

  // The marker works: the daemon, with the same arguments, creates and starts the node.
  const daemon = new DaemonProcess(['-p', pluginDir, '-g', graph], sandbox.env);
  await waitUntil(() => exists(join(marks, 'started')), 'the daemon to start the marker node');
  assert.equal(await daemon.stop(), 0);
  assert.equal(await exists(join(marks, 'constructed')), true);
});
