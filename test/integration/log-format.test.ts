import assert from 'node:assert/strict';
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

interface JsonLogLine {
  readonly time: string;
  readonly level: string;
  readonly node: string;
  readonly message: string;
  readonly code?: string;
  readonly count?: number;
}

/** Every line of `stderr` as a JSON log object, failing on the first one that is not. */
function parseLines(stderr: string): JsonLogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: JsonLogLine;
      try {
        parsed = JSON.parse(line) as JsonLogLine;
      } catch {
        assert.fail(`not a JSON line: ${line}`);
      }
      assert.match(parsed.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, line);
      assert.ok(['debug', 'info', 'warning', 'error'].includes(parsed.level), line);
      assert.equal(typeof parsed.node, 'string', line);
      assert.equal(typeof parsed.message, 'string', line);
      return parsed;
    });
}

test('--log-format json: every stderr line of a run is a JSON object; a runtime event carries its code and count', async () => {
  // A file sink whose directory does not exist: each write is a runtime event, and the
  // daemon runs on.
  const missing = join(sandbox.dir, 'no-such-dir', 'data.csv');
  const graph = `digraph {
    beat [class=HeartbeatDataSource, interval=0.05];
    file [class=FileDataSink, filename="${missing}", flush_interval=0];
    beat -> file;
  }`;
  const daemon = new DaemonProcess(['--log-format', 'json', '-g', graph], sandbox.env);
  await daemon.waitForStderr(/"code":"DATALOGD_ERR_FILE_DROPPED","count":[3-9]/);
  assert.equal(await daemon.stop(), 0, daemon.stderr);

  const lines = parseLines(daemon.stderr);
  assert.ok(lines.some((l) => l.node === 'datalogd' && l.message === 'Starting event loop.'));
  const writes = lines.filter((l) => l.code === 'DATALOGD_ERR_FILE_WRITE');
  assert.ok(writes.length > 0, daemon.stderr);
  for (const line of writes) {
    assert.equal(line.node, 'file');
    assert.equal(line.level, 'error');
    assert.match(line.message, /^cannot open .*no-such-dir.*ENOENT/);
    assert.doesNotMatch(line.message, /DATALOGD_ERR|so far/, 'the code and count are fields');
  }
  const drops = lines.filter((l) => l.code === 'DATALOGD_ERR_FILE_DROPPED');
  assert.deepEqual(
    drops.map((l) => l.count),
    drops.map((_, i) => i + 1),
    'the running count, one record per beat',
  );
  // The counts in the events are the counters the daemon reports at the end.
  const final = lines.find((l) => l.node === 'datalogd' && l.message.startsWith('file: '));
  assert.ok(final !== undefined, daemon.stderr);
  const written = Number(/\bwrite_errors=(\d+)/.exec(final.message)?.[1]);
  assert.ok(written >= (writes.at(-1)?.count ?? Infinity), final.message);
});

test('--log-format json: a configuration error is JSON too, and the daemon does not start', async () => {
  const result = await runDaemon(
    ['--log-format', 'json', '-g', 'digraph { a [class=NoSuchDataSource]; }'],
    sandbox.env,
  );
  assert.equal(result.code, 1, result.stderr);
  const lines = parseLines(result.stderr);
  const error = lines.find((l) => l.level === 'error');
  assert.ok(error !== undefined, result.stderr);
  // Several lines of text in the human format, one JSON line here.
  assert.match(
    error.message,
    /will not start: 1 configuration problem:\n.*DATALOGD_ERR_UNKNOWN_CLASS.*"NoSuchDataSource"/s,
  );
});

test('the human format stays the default; an unknown format is a usage error', async () => {
  const plain = await runDaemon(['--show-config-dirs'], sandbox.env);
  assert.equal(plain.code, 0);
  assert.match(plain.stderr, /^\S+Z INFO \[datalogd\] Site configuration file: /m);
  const bad = await runDaemon(['--log-format', 'xml', '--show-config-dirs'], sandbox.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--log-format.*xml.*human, json/s);
});
