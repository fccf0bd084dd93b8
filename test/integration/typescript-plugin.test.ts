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
