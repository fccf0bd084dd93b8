import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, REPO_ROOT, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
let pluginDir: string;

before(async () => {
  sandbox = await makeSandbox();
  // A copy outside the checkout, so nothing near the plugins provides 'datalogd'.
  pluginDir = join(sandbox.dir, 'my plugins');
  await cp(join(REPO_ROOT, 'examples', 'plugin_demos'), pluginDir, { recursive: true });
});
after(async () => {
  await sandbox.cleanup();
});

function pythonStyleConfig(plugins: string): string {
  return `; A configuration file written for Python datalogd
[datalogd]
# plugins live elsewhere
plugin_paths = ['${plugins}']
connection_graph =
    digraph {
      # comment lines inside the graph are INI comments
      hello [class=HelloWorldDataSource];
      ; so are these
      shout [class=ShoutDataSink];
      walk [class=RandomWalkDataSource, interval=0.1, walkers="[[100, 5], [50, 2.5]]"];
      print [class=PrintDataSink];
      hello -> shout;
      walk -> print;
    }
`;
}

async function expectHelloAndWalk(daemon: DaemonProcess): Promise<void> {
  await daemon.waitFor(
    () =>
      daemon.stdoutLines.includes('HELLO, WORLD!') &&
      daemon.stdoutLines.some((l) => l.startsWith('[')),
    'HELLO, WORLD! and a random walk line',
  );
  const walkLine = daemon.stdoutLines.find((l) => l.startsWith('[')) as string;
  const values = (JSON.parse(walkLine) as { value: number }[]).map((r) => r.value);
  assert.ok(
    Math.abs((values[0] as number) - 100) <= 5 && Math.abs((values[1] as number) - 50) <= 2.5,
  );
  assert.equal(await daemon.stop(), 0);
}

test('a Python-style config in the XDG user location runs unchanged', async () => {
  const userDir = join(sandbox.env.XDG_CONFIG_HOME as string, 'datalogd');
  await mkdir(userDir, { recursive: true });
  const file = join(userDir, 'datalogd.conf');
  await writeFile(file, pythonStyleConfig(pluginDir));
  const daemon = new DaemonProcess([], sandbox.env);
  await expectHelloAndWalk(daemon);
  assert.match(daemon.stderr, new RegExp(`Loaded config from: .*${file.replace(/[.]/g, '\\.')}`));
});

test('the same file given with -c runs unchanged, and -g overrides its graph', async () => {
  const file = join(sandbox.dir, 'lab.conf');
  await writeFile(file, pythonStyleConfig(pluginDir));
  await expectHelloAndWalk(new DaemonProcess(['-c', file], sandbox.env));

  const overridden = new DaemonProcess(
    [
      '-c',
      file,
      '-g',
      'digraph { h [class=HelloWorldDataSource]; s [class=ShoutDataSink]; h -> s; }',
    ],
    sandbox.env,
  );
  await overridden.waitFor(() => overridden.stdoutLines.includes('HELLO, WORLD!'), 'HELLO, WORLD!');
  assert.equal(await overridden.stop(), 0);
  assert.ok(
    !overridden.stdoutLines.some((l) => l.startsWith('[')),
    'the walk from the file must not run',
  );
});

test('the HelloWorld and Shout plugins load from -p DIR', async () => {
  const daemon = new DaemonProcess(
    [
      '-p',
      pluginDir,
      '-g',
      'digraph { a [class=HelloWorldDataSource]; b [class=ShoutDataSink]; a -> b; }',
    ],
    sandbox.env,
  );
  await daemon.waitFor(() => daemon.stdoutLines.includes('HELLO, WORLD!'), 'HELLO, WORLD!');
  assert.equal(await daemon.stop(), 0);
});

test('examples/hello-world.conf resolves its relative plugin path', async () => {
  const daemon = new DaemonProcess(
    ['-c', join(REPO_ROOT, 'examples', 'hello-world.conf')],
    sandbox.env,
  );
  await daemon.waitFor(() => daemon.stdoutLines.includes('HELLO, WORLD!'), 'HELLO, WORLD!');
  assert.equal(await daemon.stop(), 0);
});
