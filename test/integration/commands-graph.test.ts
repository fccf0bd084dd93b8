/**
 * `datalogd graph`, through the real command: the DOT it prints is read back by the
 * project's own parser and validates to the same graph; the Mermaid text and the SVG
 * (parsed as XML) label each node with its name, class and the options that differ from
 * their defaults; a broken configuration prints its problems and no graph.
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { Registry } from '../../src/core/registry.js';
import { parseGraph, type ParsedGraph } from '../../src/graph/dot.js';
import { validateGraph, type ValidatedGraph } from '../../src/graph/validate.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/index.js';
import { parseDotJson } from '../../src/python/values.js';
import { makeSandbox, REPO_ROOT, runDaemon, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
let configFile: string;

/**
 * Options at their defaults (interval=1, seed=None, select=True), options that are not,
 * a secret, a name that needs quotes and values with quotes, brackets and backslashes.
 */
const GRAPH = `digraph {
      walk [class=RandomWalkDataSource, interval=1, seed=None, walkers="[[100, 5], [50, 2.5]]"];
      "my filter" [class=KeyValDataFilter, select=True, keyvals="[['type', 'analog']]"];
      file [class=FileDataSink, filename="/data/run \\"A\\".txt", terminator="\\n"];
      influx [class=InfluxDBDataSink, password=hunter2, dbname=lab];
      walk -> "my filter" -> file;
      "my filter" -> influx;
    }`;

/** Each node's attributes as the graph command should print them: defaults left out. */
const EXPECTED: Record<string, Record<string, string>> = {
  walk: { class: 'RandomWalkDataSource', walkers: '[[100, 5], [50, 2.5]]' },
  'my filter': { class: 'KeyValDataFilter', keyvals: "[['type', 'analog']]" },
  file: { class: 'FileDataSink', filename: '/data/run "A".txt', terminator: '\\n' },
  influx: { class: 'InfluxDBDataSink', password: '[redacted]', dbname: 'lab' },
};
const EDGES = [
  ['walk', 'my filter'],
  ['my filter', 'file'],
  ['my filter', 'influx'],
];

before(async () => {
  sandbox = await makeSandbox();
  configFile = join(sandbox.dir, 'lab.conf');
  await writeFile(configFile, `[datalogd]\nconnection_graph =\n    ${GRAPH}\n`);
});
after(async () => {
  await sandbox.cleanup();
});

async function graph(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runDaemon(['graph', ...args], sandbox.env);
  assert.equal(code, 0, stderr);
  return stdout;
}

async function validated(parsed: ParsedGraph): Promise<ValidatedGraph> {
  const registry = new Registry(BUILTIN_PLUGINS);
  await registry.load(parsed.nodes.flatMap((node) => node.attributes.class ?? []));
  return validateGraph(parsed, registry, parseDotJson);
}

test('DOT: read back by the project parser, it validates to the same graph', async () => {
  const dot = await graph('-c', configFile, '--format', 'dot');
  const parsed = parseGraph(dot);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.warnings, []);
  assert.deepEqual(
    Object.fromEntries(parsed.nodes.map((node) => [node.name, { ...node.attributes }])),
    EXPECTED,
  );
  assert.deepEqual(
    parsed.edges.map((edge) => [edge.from, edge.to]),
    EDGES,
  );

  // Validated, the printed graph and the written one are the same graph: every option,
  // defaults included, has the same value (but the password, which is not printed).
  const printed = await validated(parsed);
  const written = await validated(parseGraph(GRAPH));
  assert.deepEqual(printed.problems, []);
  const options = (g: ValidatedGraph) =>
    g.nodes.map((node) => {
      const rest = Object.entries(node.options).filter(([key]) => key !== 'password');
      return [node.name, node.className, Object.fromEntries(rest)];
    });
  assert.deepEqual(options(printed), options(written));
  assert.deepEqual(printed.edges, written.edges);

  // The daemon's own check accepts it, and printing it again changes nothing.
  const check = await runDaemon(['check', '-g', dot], sandbox.env);
  assert.equal(check.code, 0, check.stdout);
  assert.equal(check.stdout, 'OK: 4 nodes, 3 edges (graph from command line)');
  assert.equal(await graph('-g', dot), dot);
});

test('Mermaid: a flowchart, each node labelled with name, class and changed options', async () => {
  const lines = (await graph('-c', configFile, '--format', 'mermaid')).split('\n');
  assert.equal(lines[0], 'flowchart LR');
  const labels = new Map<string, string[]>();
  const edges: string[][] = [];
  for (const line of lines.slice(1)) {
    const node = /^ {2}(n\d+)\["(.*)"\]$/.exec(line);
    const edge = /^ {2}(n\d+) --> (n\d+)$/.exec(line);
    if (node !== null) labels.set(node[1] as string, (node[2] as string).split('<br/>'));
    else if (edge !== null) edges.push([edge[1] as string, edge[2] as string]);
    else assert.match(line, /^ {2}(classDef|class) /, `an expected line: ${line}`);
  }
  // Mermaid reads `"` and `#` in labels as syntax: they are written as entities.
  const decode = (text: string): string => text.replaceAll('#quot;', '"').replaceAll('#35;', '#');
  const byName = new Map([...labels].map(([id, label]) => [label[0] as string, { id, label }]));
  assert.deepEqual([...byName.keys()], Object.keys(EXPECTED));
  for (const [name, { class: className, ...options }] of Object.entries(EXPECTED)) {
    assert.deepEqual(byName.get(name)?.label.map(decode), [
      name,
      className,
      ...Object.entries(options).map(([k, v]) => `${k}=${v}`),
    ]);
  }
  const idOf = (name: string): string => byName.get(name)?.id ?? '?';
  assert.deepEqual(
    edges,
    EDGES.map(([from, to]) => [idOf(from as string), idOf(to as string)]),
  );
});

test('SVG: well-formed XML from Graphviz, a labelled box per node and a line per edge', async () => {
  const svgText = await graph('-c', configFile, '--format', 'svg');
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(svgText, 'image/svg+xml');
  assert.deepEqual(errors, [], 'the SVG is well-formed XML');
  const svg = doc.documentElement;
  assert.ok(svg !== null && svg.tagName === 'svg');
  assert.match(svgText, /Generated by graphviz version \d+/);

  const groups = (kind: string): Element[] =>
    Array.from(svg.getElementsByTagName('g')).filter((g) => g.getAttribute('class') === kind);
  const title = (g: Element): string => g.getElementsByTagName('title')[0]?.textContent ?? '';
  const texts = (g: Element): string[] =>
    Array.from(g.getElementsByTagName('text')).map((t) => t.textContent ?? '');

  const nodes = groups('node');
  assert.deepEqual(nodes.map(title), Object.keys(EXPECTED));
  for (const node of nodes) {
    const { class: className, ...options } = EXPECTED[title(node)] ?? {};
    assert.deepEqual(texts(node), [
      title(node),
      className,
      ...Object.entries(options).map(([k, v]) => `${k}=${v}`),
    ]);
  }
  assert.deepEqual(
    groups('edge').map(title),
    EDGES.map(([from, to]) => `${from}->${to}`),
  );
});

test('a broken configuration: the problems on stderr, no graph, exit 1', async () => {
  const { code, stdout, stderr } = await runDaemon(
    ['graph', '--format', 'svg', '-g', 'digraph { a [class=NullDataSource]; a -> b }'],
    sandbox.env,
  );
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /1 configuration problem:\n {2}- \[DATALOGD_ERR_EDGE_UNKNOWN_NODE\]/);
});

test('every example config checks, and its graph printed as DOT checks the same', async () => {
  const examples = join(REPO_ROOT, 'examples');
  const files = [
    ...(await readdir(examples)).map((name) => join(examples, name)),
    ...(await readdir(join(examples, 'systemd'))).map((name) => join(examples, 'systemd', name)),
  ].filter((file) => file.endsWith('.conf'));
  assert.ok(files.length >= 10, `found ${files.length}`);
  for (const file of files) {
    const checked = await runDaemon(['check', '-c', file], sandbox.env);
    assert.equal(checked.code, 0, `${file}: ${checked.stdout}`);
    const counts = /^OK: (\d+ nodes?, \d+ edges?) /.exec(checked.stdout)?.[1];
    assert.ok(counts !== undefined, checked.stdout);
    const dot = await graph('-c', file);
    // With -c for the file's plugin_paths; -g replaces its graph.
    const again = await runDaemon(['check', '-c', file, '-g', dot], sandbox.env);
    assert.equal(again.stdout, `OK: ${counts} (graph from command line)`, `${file}:\n${dot}`);
  }
});
