// Resident memory of the daemon idling on the demo graph, beside an idle bare node process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, rssMiB, sleep } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SETTLE_MS = Number(process.env.IDLE_SETTLE_MS ?? 5000);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

async function idleRss(args, env) {
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  try {
    await sleep(SETTLE_MS);
    return rssMiB(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

const home = mkdtempSync(join(tmpdir(), 'datalogd-bench-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'c'),
  XDG_CONFIG_DIRS: join(home, 's'),
};
const daemonRuns = [];
const nodeRuns = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const [d, n] = await Promise.all([
      idleRss([cli], env),
      idleRss(['-e', 'setInterval(() => {}, 1000)'], env),
    ]);
    daemonRuns.push(d);
    nodeRuns.push(n);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`idle RSS after ${SETTLE_MS / 1000} s, median of ${RUNS} runs`);
console.log(`  datalogd demo graph: ${fmt(median(daemonRuns))} MiB  (target < 60 MiB)`);
console.log(`  bare idle node     : ${fmt(median(nodeRuns))} MiB`);
