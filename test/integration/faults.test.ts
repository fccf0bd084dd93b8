import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('a graph with many faults exits 1 and lists every one of them', async () => {
  const graph = `digraph {
    walk [class=RandomWalkDataSorce, interval=1];
    beat [class=HeartbeatDataSource, intervall=2];
    keyval [class=KeyValDataFilter, select="[1, 2]"];
    noclass [interval=3];
    sink [class=PrintDataSink];
    loop1 [class=NullDataFilter];
    loop2 [class=NullDataFilter];
    beat -> ghost;
    sink -> sink;
    loop1 -> loop2 -> loop1;
    beat -> sink;
    beat -> sink;
  }`;
  const { code, stderr } = await runDaemon(['-g', graph], sandbox.env);
  assert.equal(code, 1);
  const expectations: [string, RegExp][] = [
    ['unknown class with a suggestion', /RandomWalkDataSorce.*did you mean "RandomWalkDataSource"/],
    [
      'unknown option listing the valid ones',
      /HeartbeatDataSource has no option "intervall".*valid options: .*interval/,
    ],
    ['wrong option type', /option "select" of KeyValDataFilter/],
    ['missing class', /DATALOGD_ERR_NODE_NO_CLASS.*noclass/],
    ['edge to an undefined node', /DATALOGD_ERR_EDGE_UNKNOWN_NODE.*ghost/],
    ['self-edge', /DATALOGD_ERR_EDGE_SELF.*sink/],
    ['cycle naming its nodes', /DATALOGD_ERR_GRAPH_CYCLE.*loop1.*loop2/],
  ];
  for (const [what, pattern] of expectations) assert.match(stderr, pattern, what);
  assert.match(stderr, /edge beat -> sink appears 2 times/);
  assert.doesNotMatch(stderr, /Starting event loop/);
});

test('DOT that does not parse is a configuration error with a position', async () => {
  const { code, stderr } = await runDaemon(
    ['-g', 'digraph { a [class=NullDataSource]; a -> }'],
    sandbox.env,
  );
  assert.equal(code, 1);
  assert.match(stderr, /DATALOGD_ERR_GRAPH_SYNTAX.*line 1/);
});

test('a missing -c file and an unreadable plugin directory are both reported', async () => {
  const { code, stderr } = await runDaemon(
    ['-c', join(sandbox.dir, 'nope.conf'), '-p', join(sandbox.dir, 'no-plugins-here')],
    sandbox.env,
  );
  assert.equal(code, 1);
  assert.match(stderr, /DATALOGD_ERR_CONFIG_READ.*nope\.conf/);
});

test('a plugin file that throws on import is a configuration error', async () => {
  const dir = join(sandbox.dir, 'broken-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'broken.mjs'), "throw new Error('plugin exploded');\n");
  const { code, stderr } = await runDaemon(
    ['-p', dir, '-g', 'digraph { a [class=NullDataSource]; }'],
    sandbox.env,
  );
  assert.equal(code, 1);
  assert.match(stderr, /DATALOGD_ERR_PLUGIN_LOAD.*broken\.mjs.*plugin exploded/);
});

test('a sink that throws does not stop its source or its sibling sinks', async () => {
  const dir = join(sandbox.dir, 'throwing-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'explode.mjs'),
    `import { DataSink } from 'datalogd';
export class ExplodingDataSink extends DataSink {
  receive() { throw new Error('boom'); }
}
export class RejectingDataSink extends DataSink {
  async receive() { throw new Error('async boom'); }
}
`,
  );
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.02];
    bad [class=ExplodingDataSink];
    worse [class=RejectingDataSink];
    good [class=PrintDataSink];
    beat -> bad; beat -> worse; beat -> good;
  }`;
  const daemon = new DaemonProcess(['-p', dir, '-g', graph], sandbox.env);
  await daemon.waitForStdoutLines(30);
  const counters = daemon.stdoutLines
    .slice(0, 30)
    .map((l) => (JSON.parse(l) as { value: number }[])[0]?.value);
  assert.deepEqual(
    counters,
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.match(daemon.stderr, /beat -> bad: boom/);
  assert.match(daemon.stderr, /beat -> worse: async boom/);
  const errorLines = daemon.stderrLines.filter((l) => l.includes('beat -> bad')).length;
  assert.ok(errorLines <= 6, `sink errors must be rate-limited, saw ${errorLines} lines`);
  assert.equal(await daemon.stop(), 0);
  assert.match(daemon.stderr, /beat: sink_errors=\d+/);
});

test('a plugin class named as one kind but extending another is an error; a helper class only a warning', async () => {
  const dir = join(sandbox.dir, 'naming-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'naming.mjs'),
    `import { DataSource } from 'datalogd';
export class Helper extends DataSource {}
export class MisnamedDataSink extends DataSource {}
`,
  );
  const graph = 'digraph { a [class=NullDataSource]; }';
  const bad = await runDaemon(['-p', dir, '-g', graph], sandbox.env);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /DATALOGD_ERR_PLUGIN_CLASS.*class MisnamedDataSink is named as a DataSink but extends DataSource/,
  );
  assert.match(
    bad.stderr,
    /WARNING .*class Helper extends DataSource but its name does not end in .*cannot be used in a graph/,
  );

  await writeFile(
    join(dir, 'naming.mjs'),
    `import { DataSource } from 'datalogd';\nexport class Helper extends DataSource {}\n`,
  );
  const ok = new DaemonProcess(['-p', dir, '-g', graph], sandbox.env);
  await ok.waitForStderr(/Starting event loop/);
  assert.equal(await ok.stop(), 0);
  assert.match(ok.stderr, /class Helper .*cannot be used in a graph/);
});
