/**
 * What docs/plugins-guide.md promises, through the real `datalogd` command: its two example
 * plugins (a TypeScript source, a JavaScript sink with options schemas), their options
 * checked like a built-in's with file and line, counted drops, a validate hook, and
 * plugins written the way the Python datalogd docs teach (a `sinks`-first constructor, an
 * overridden `close()`).
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';
import { Peer } from '../helpers/peers.js';

let sandbox: Sandbox;
/** The example config and its plugin folder, copied outside the checkout. */
let exampleDir: string;

before(async () => {
  sandbox = await makeSandbox();
  exampleDir = join(sandbox.dir, 'guide example');
  await cp(join(REPO_ROOT, 'examples', 'plugins-guide'), join(exampleDir, 'plugins-guide'), {
    recursive: true,
  });
});
after(async () => {
  await sandbox.cleanup();
});

/** An independent UDP receiver: prints "PORT n", then each datagram as a line. */
async function udpListener(): Promise<{ peer: Peer; port: number }> {
  const script = [
    'import socket',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    "s.bind(('127.0.0.1', 0))",
    "print('PORT', s.getsockname()[1], flush=True)",
    'while True:',
    "    print(s.recvfrom(65535)[0].decode('utf-8'), flush=True)",
  ].join('\n');
  const peer = new Peer('python3', ['-u', '-c', script]);
  await peer.waitForLines(1);
  const port = Number(/^PORT (\d+)$/.exec(peer.lines.shift() ?? '')?.[1]);
  assert.ok(port > 0, 'the listener told its port');
  return { peer, port };
}

/** Writes `text` as a config file beside the copied example plugins. */
async function writeConfig(name: string, text: string): Promise<string> {
  const file = join(exampleDir, name);
  await writeFile(file, text);
  return file;
}

const countdown = (from: number): string[] =>
  Array.from({ length: from + 1 }, (_, i) =>
    JSON.stringify({ type: 'countdown', id: 'countdown', value: from - i }),
  );

test('examples/plugins-guide.conf runs its TypeScript source and JavaScript sink', async () => {
  const { peer, port } = await udpListener();
  const example = await readFile(join(REPO_ROOT, 'examples', 'plugins-guide.conf'), 'utf8');
  assert.match(example, /port=9999\]/, 'the example sends to port 9999');
  const faster = example
    .replace('port=9999]', `port=${port}]`)
    .replace('interval=0.5', 'interval=0.05');
  assert.notEqual(faster, example);
  const daemon = new DaemonProcess(['-c', await writeConfig('guide.conf', faster)], sandbox.env);
  try {
    await peer.waitForLines(6);
    assert.deepEqual(peer.lines, countdown(5), 'each record arrives as one JSON datagram');
    await daemon.waitForStdoutLines(6);
    assert.deepEqual(
      daemon.stdoutLines,
      countdown(5).map((record) => `[${record}]`),
    );
    assert.equal(await daemon.stop(), 0);
    assert.match(daemon.stderr, /\[datalogd\] countdown: messages_out=6$/m);
    assert.match(daemon.stderr, /\[datalogd\] udp: messages_out=6 bytes_out=\d+$/m);
    assert.doesNotMatch(daemon.stderr, /DATALOGD_ERR/);
  } finally {
    await peer.stop();
  }
});

test('what the sink drops is counted under its code and logged with the running count', async () => {
  const daemon = new DaemonProcess(
    [
      '-p',
      join(exampleDir, 'plugins-guide'),
      '-g',
      // Every record is larger than 10 bytes, so none is sent. The console sees each record
      // after the sink did (sinks are called in edge order), so its last line means all four
      // reached the sink.
      'digraph { c [class=CountdownDataSource, from=3, interval=0.02]; u [class=UdpJsonDataSink, port=9, max_datagram=10]; p [class=PrintDataSink]; c -> u; c -> p; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStdoutLines(4);
  assert.equal(await daemon.stop(), 0);
  assert.match(
    daemon.stderr,
    /WARNING \[u\] \[DATALOGD_ERR_PLUGIN_DROPPED\] a \d+-byte record exceeds max_datagram=10 \(1 so far\)/,
  );
  assert.match(daemon.stderr, /\[datalogd\] u: dropped=4$/m, 'the counter counts every drop');
});

test("the example plugins' options are checked like a built-in's: every mistake, with file and line", async () => {
  const file = await writeConfig(
    'mistakes.conf',
    `[datalogd]
plugin_paths = ['plugins-guide']
connection_graph =
    digraph {
      # line 5 is this comment
      countdown [class=CountdownDataSource, from=2, to=5, intervall=1];
      udp [class=UdpJsonDataSink, port=70000, max_datagram="big"];
      countdown -> udp;
    }
`,
  );
  const daemon = new DaemonProcess(['-c', file], sandbox.env);
  assert.equal(await daemon.exited, 1);
  const at = (line: number): string => `${file}:${line}: `;
  const expected = [
    `[DATALOGD_ERR_UNKNOWN_OPTION] ${at(6)}node "countdown": CountdownDataSource has no option "intervall" (did you mean "interval"?)`,
    `[DATALOGD_ERR_OPTION_TYPE] ${at(6)}node "countdown": option "to" of CountdownDataSource must not be larger than from (2) (given 5)`,
    `[DATALOGD_ERR_OPTION_TYPE] ${at(7)}node "udp": option "port" of UdpJsonDataSink`,
    `[DATALOGD_ERR_OPTION_TYPE] ${at(7)}node "udp": option "max_datagram" of UdpJsonDataSink`,
  ];
  for (const text of expected) assert.ok(daemon.stderr.includes(text), `${text}\n${daemon.stderr}`);
  assert.match(daemon.stderr, /4 configuration problems/);
  assert.doesNotMatch(daemon.stderr, /Starting event loop/);
});

test("a plugin's validate hook reports with the others, at its node's file and line", async () => {
  const dir = join(sandbox.dir, 'validating-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'template.mjs'),
    `import { access } from 'node:fs/promises';
import { DataSink, DatalogdError, path, z } from 'datalogd';

export class TemplateDataSink extends DataSink {
  static optionsSchema = z.object({ template: path() });
  static async validate(options, nodeName) {
    try {
      await access(options.template);
      return [];
    } catch {
      return [
        new DatalogdError('DATALOGD_ERR_OPTION_TYPE', \`node "\${nodeName}": option "template": \${options.template} cannot be read\`, { node: nodeName, option: 'template' }),
      ];
    }
  }
}
`,
  );
  const file = await writeConfig(
    'validate.conf',
    `[datalogd]
connection_graph =
    digraph {
      t [class=TemplateDataSink, template="/nonexistent/template.txt"];
      n [class=NullDataSink, extra=1];
    }
`,
  );
  const daemon = new DaemonProcess(['-c', file, '-p', dir], sandbox.env);
  assert.equal(await daemon.exited, 1);
  assert.ok(
    daemon.stderr.includes(
      `[DATALOGD_ERR_OPTION_TYPE] ${file}:4: node "t": option "template": /nonexistent/template.txt cannot be read`,
    ),
    daemon.stderr,
  );
  assert.ok(daemon.stderr.includes(`[DATALOGD_ERR_UNKNOWN_OPTION] ${file}:5: node "n"`));
});

test('plugins written like the Python docs: sinks-first constructors and overridden close()', async () => {
  const dir = join(sandbox.dir, 'python-style-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'python_style.mjs'),
    `import { DataSource, DataSink } from 'datalogd';

// def __init__(self, sinks=[], interval=1.0) in Python
export class TickerDataSource extends DataSource {
  constructor(sinks = [], options = {}) {
    super(sinks);
    console.log('ticker got sinks ' + JSON.stringify(sinks) + ' and options ' + JSON.stringify(options));
    this.interval = options.interval ?? 1.0;
    this.timer = setInterval(() => this.send([{ type: 'tick', value: this.interval }]), this.interval * 1000);
  }
  close() {
    clearInterval(this.timer); // returns undefined, and never calls super.close()
    console.log('ticker closed');
  }
}

// An options-first class without a schema gets the decoded attributes first.
export class LabelDataSink extends DataSink {
  constructor(options = {}) {
    super();
    this.label = options.label;
  }
  receive(data) {
    console.log(this.label + ' ' + JSON.stringify(data));
  }
  async close() {
    await new Promise((resolve) => setTimeout(resolve, 10));
    console.log(this.label + ' closed');
    return 'anything';
  }
}

class Tidy extends DataSink {
  onClose() {
    console.log('own cleanup ran');
  }
}

// close() overridden without super.close(): the class's own onClose() cleanup still runs.
export class ForgetfulDataSink extends Tidy {
  close() {
    console.log('forgetful closed');
  }
}
`,
  );
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { t [class=TickerDataSource, interval=0.05]; l [class=LabelDataSink, label=seen]; f [class=ForgetfulDataSink]; t -> l; t -> f; }',
    ],
    sandbox.env,
  );
  await daemon.waitFor(
    () => daemon.stdoutLines.includes('seen [{"type":"tick","value":0.05}]'),
    'a tick at the sink',
  );
  assert.equal(daemon.stdoutLines[0], 'ticker got sinks [] and options {"interval":0.05}');
  assert.equal(await daemon.stop(), 0);
  const closing = daemon.stdoutLines.slice(daemon.stdoutLines.indexOf('ticker closed'));
  const lines = closing.filter((line) => !line.startsWith('seen ['));
  // The source first; its two sinks then close at the same time, so the quick one (which
  // does not wait 10 ms) finishes first; a sink's own cleanup runs after its close().
  assert.deepEqual(
    lines,
    ['ticker closed', 'forgetful closed', 'own cleanup ran', 'seen closed'],
    'sources close before sinks, sinks concurrently, each close() is awaited whatever it returns',
  );
  assert.doesNotMatch(daemon.stderr, /DATALOGD_ERR_NODE_CLOSE|Cannot read properties/);
});

test('a .js plugin with no package.json near it loads as an ES module, even without syntax detection', async () => {
  const dir = join(sandbox.dir, 'plain-js-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'echo.js'),
    `import { DataSink } from 'datalogd';
export class EchoDataSink extends DataSink {
  receive(data) {
    console.log('echo ' + JSON.stringify(data));
  }
}
`,
  );
  // Node.js 20 before 20.19 reads such a file as CommonJS; this flag gives that behaviour.
  const oldNode = process.allowedNodeEnvironmentFlags.has('--experimental-detect-module')
    ? { NODE_OPTIONS: '--no-experimental-detect-module' }
    : {};
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { h [class=HeartbeatDataSource, interval=0.05]; e [class=EchoDataSink]; h -> e; }',
    ],
    { ...sandbox.env, ...oldNode },
  );
  await daemon.waitForStdoutLines(1);
  assert.equal(daemon.stdoutLines[0], 'echo [{"type":"config","id":"heartbeat","value":1}]');
  assert.equal(await daemon.stop(), 0);
});

test('docs/plugins-guide.md shows the example files as they are', async () => {
  const guide = await readFile(join(REPO_ROOT, 'docs', 'plugins-guide.md'), 'utf8');
  const blocks = [...guide.matchAll(/```(?:ts|js|ini)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  for (const file of ['plugins-guide/countdown.ts', 'plugins-guide/udp-json.mjs']) {
    const text = await readFile(join(REPO_ROOT, 'examples', file), 'utf8');
    assert.ok(blocks.includes(text), `the guide shows examples/${file} in full, unchanged`);
  }
  const config = await readFile(join(REPO_ROOT, 'examples', 'plugins-guide.conf'), 'utf8');
  const shown = blocks.find((block) => block.startsWith('[datalogd]\n'));
  assert.ok(shown !== undefined && config.endsWith(shown), 'the guide shows the example config');
});

test("the README's plugin example runs, and its options are checked", async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Your own plugins'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  assert.ok(code.includes('class HelloDataSource'), 'the README shows HelloDataSource');
  const dir = join(sandbox.dir, 'readme-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'hello.mjs'), code);
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { h [class=HelloDataSource, interval=0.05, greeting=hi]; p [class=PrintDataSink]; h -> p; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStdoutLines(2);
  assert.deepEqual(daemon.stdoutLines.slice(0, 2), ['hi', 'hi']);
  assert.equal(await daemon.stop(), 0);

  const wrong = new DaemonProcess(
    ['-p', dir, '-g', 'digraph { h [class=HelloDataSource, intervall=1]; }'],
    sandbox.env,
  );
  assert.equal(await wrong.exited, 1);
  assert.match(
    wrong.stderr,
    /\[DATALOGD_ERR_UNKNOWN_OPTION\] line 1: node "h": HelloDataSource has no option "intervall" \(did you mean "interval"\?\)/,
  );
});

test("the guide's PeriodicDataSource example ticks", async () => {
  const guide = await readFile(join(REPO_ROOT, 'docs', 'plugins-guide.md'), 'utf8');
  const code = [...guide.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((block) => block.includes('class UptimeDataSource'));
  assert.ok(code !== undefined, 'the guide shows UptimeDataSource');
  const dir = join(sandbox.dir, 'periodic-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'uptime.mjs'), code);
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { u [class=UptimeDataSource, interval=0.05]; p [class=PrintDataSink]; u -> p; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStdoutLines(3);
  const values = daemon.stdoutLines
    .slice(0, 3)
    .map((line) => (JSON.parse(line) as { value: number }[])[0]?.value ?? NaN);
  assert.ok(
    values.every((v, i) => v > 0 && (i === 0 || v > (values[i - 1] as number))),
    `uptimes rise: ${values.join(', ')}`,
  );
  assert.equal(await daemon.stop(), 0);
});
