// Resident memory of the daemon idling on the demo graph, beside an idle bare node process
// started at the same moment. Sampled early (start-up garbage not yet returned) and once
// V8's idle-time memory reducer has run, which it does some seconds after activity stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, rssMiB, sleep } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLE_AT_S = (process.env.IDLE_SAMPLES ?? '5,15,30').split(',').map(Number);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

async function sampleRss(args, env) {
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const samples = [];
  const started = Date.now();
  try {
    for (const at of SAMPLE_AT_S) {
      await sleep(Math.max(0, at * 1000 - (Date.now() - started)));
      samples.push(rssMiB(child.pid));
    }
    return samples;
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
      sampleRss([cli], env),
      sampleRss(['-e', 'setInterval(() => {}, 1000)'], env),
    ]);
    daemonRuns.push(d);
    nodeRuns.push(n);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`idle RSS (MiB), median of ${RUNS} runs; target < 60 MB (57.2 MiB)`);
console.log(`  seconds after start : ${SAMPLE_AT_S.map((s) => String(s).padStart(6)).join('')}`);
const row = (runs) =>
  SAMPLE_AT_S.map((_, i) => fmt(median(runs.map((r) => r[i]))).padStart(6)).join('');
console.log(`  datalogd demo graph : ${row(daemonRuns)}`);
console.log(`  bare idle node      : ${row(nodeRuns)}`);
