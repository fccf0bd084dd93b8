import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { Peer, serverPort } from '../helpers/peers.js';
import { sleep } from '../helpers/wait.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) / 1024;
}

const CONNECTIONS = 20_000;
const AT_ONCE = 8;
const ROUNDS = 4;

/** Opens AT_ONCE connections, each sends text that is not JSON, closes them; repeats. */
const CHURN = `
import socket, sys, time
port, total, at_once = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
started = time.monotonic()
for _ in range(total // at_once):
    group = [socket.create_connection(('127.0.0.1', port)) for _ in range(at_once)]
    for s in group:
        try:
            s.sendall(b'{not json\\x17')
        except OSError:
            pass
    for s in group:
        s.close()
print('%.3f' % (time.monotonic() - started), flush=True)
`;

test('20,000 connections coming and going keep the log and the daemon bounded', async () => {
  const daemon = new DaemonProcess(
    ['-g', 'digraph { s [class=SocketDataFilter, port=0, max_connections=4]; }'],
    sandbox.env,
  );
  const port = await serverPort(daemon, 's');
  const pid = daemon.child.pid as number;
  await sleep(300);
  const linesBefore = daemon.stderrLines.length;
  // In rounds: the heap reaches its working size in the first two, so what the last two add
  // is what connections leave behind.
  const rss: number[] = [];
  let seconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const args = [String(port), String(CONNECTIONS / ROUNDS), String(AT_ONCE)];
    const churn = new Peer('python3', ['-c', CHURN, ...args]);
    assert.equal(await churn.finished(120_000), 0, churn.stderr);
    seconds += Number(churn.lines[0]);
    await sleep(1000);
    rss.push(rssMiB(pid));
  }
  const rssBefore = rss[1] ?? NaN;
  const rssAfter = rss[ROUNDS - 1] ?? NaN;
  const lines = daemon.stderrLines.slice(linesBefore);
  assert.equal(await daemon.stop(), 0);

  const stats = Object.fromEntries(
    [...(/\] s: (.*)$/m.exec(daemon.stderr)?.[1] ?? '').matchAll(/(\w+)=(\d+)/g)].map((m) => [
      m[1] as string,
      Number(m[2]),
    ]),
  );
  const opened = stats.connections_opened ?? 0;
  const refused = stats.connections_refused ?? 0;
  assert.equal(opened + refused, CONNECTIONS, `every connection counted: ${opened} + ${refused}`);
  assert.ok(refused > 0, 'some were past max_connections');
  assert.ok((stats.not_json ?? 0) > 0, 'their text was counted');

  // The limiter's 10 s windows start at its first line, not with the churn: the run can
  // touch one window more than its length fills.
  const windows = Math.ceil((seconds + 1) / 10) + 1;
  const warnings = lines.filter((l) => l.includes(' WARNING ')).length;
  const connectionLines = lines.filter((l) => /\[s\] Connection (established|with)/.test(l)).length;
  // Per 10 s window: 5 lines and a summary per code (two codes here), 20 connection lines
  // and a summary.
  assert.ok(
    warnings <= windows * 2 * 6,
    `${warnings} warning lines in ${seconds.toFixed(1)} s of churn (${(warnings / seconds).toFixed(1)}/s; before: 3,000/s)`,
  );
  assert.ok(
    connectionLines <= windows * 21,
    `${connectionLines} connection lines for ${CONNECTIONS} connections (before: 2 per connection)`,
  );
  assert.ok(
    rssAfter - rssBefore < 15 && rssAfter < 200,
    `RSS ${rssBefore.toFixed(1)} MiB after ${CONNECTIONS / 2} connections, ${rssAfter.toFixed(1)} MiB after ${CONNECTIONS} (rounds: ${rss.map((r) => r.toFixed(1)).join(', ')})`,
  );
});
