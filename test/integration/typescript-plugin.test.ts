import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('a TypeScript plugin with no package.json near it loads as an ES module (tsx installed)', async () => {
  const dir = join(sandbox.dir, 'ts-plugins');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'greet.ts'),
    `import { DataSink, type Data } from 'datalogd';

export class GreetDataSink extends DataSink {
  readonly #prefix: string;
  constructor(options: { prefix?: string } = {}) {
    super();
    this.#prefix = options.prefix ?? 'got';
  }
  override receive(data: Data): void {
    console.log(\`\${this.#prefix}: \${JSON.stringify(data)}\`);
  }
}
`,
  );
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { a [class=HeartbeatDataSource, interval=0.05]; b [class=GreetDataSink, prefix=beat]; a -> b; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStdoutLines(2);
  assert.equal(daemon.stdoutLines[0], 'beat: [{"type":"config","id":"heartbeat","value":1}]');
  assert.equal(daemon.stdoutLines[1], 'beat: [{"type":"config","id":"heartbeat","value":2}]');
  assert.equal(await daemon.stop(), 0);
});

test('a TypeScript port of a Python plugin: sinks first, options second, close() overridden', async () => {
  const dir = join(sandbox.dir, 'ts-python-style');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'counter.ts'),
    `import { DataSource, type DataReceiver } from 'datalogd';

interface CounterOptions {
  readonly start?: number;
}

export class CounterDataSource extends DataSource {
  #value: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(sinks: DataReceiver[] = [], options: CounterOptions = {}) {
    super(sinks);
    this.#value = options.start ?? 0;
    console.log(\`sinks given: \${sinks.length}\`);
  }

  override start(): void {
    this.#timer = setInterval(() => {
      this.send([{ type: 'count', id: 'c', value: this.#value++ }]);
    }, 20);
  }

  override async close(): Promise<void> {
    clearInterval(this.#timer);
    await new Promise((resolve) => setTimeout(resolve, 5));
    console.log('counter closed');
  }
}
`,
  );
  const daemon = new DaemonProcess(
    [
      '-p',
      dir,
      '-g',
      'digraph { c [class=CounterDataSource, start=40]; p [class=PrintDataSink]; c -> p; }',
    ],
    sandbox.env,
  );
  await daemon.waitForStdoutLines(3);
  assert.deepEqual(daemon.stdoutLines.slice(0, 3), [
    'sinks given: 0',
    '[{"type":"count","id":"c","value":40}]',
    '[{"type":"count","id":"c","value":41}]',
  ]);
  assert.equal(await daemon.stop(), 0);
  assert.equal(daemon.stdoutLines.at(-1), 'counter closed');
  assert.doesNotMatch(daemon.stderr, /DATALOGD_ERR_NODE_CLOSE/);
});
