// Reload: a 50-node graph (10 chains of HeartbeatDataSource -> TimeStampDataFilter ->
// FileDataSink, with two NullDataSinks on each) runs while records flow; each round changes
// one node (the first chain's file sink header) and sends SIGHUP. Reported: the reload time
// the daemon logs ("reload: ... in N ms") and SIGHUP to that line, and the records lost on
// the nine unchanged chains (every heartbeat value 1..N must be in its file exactly once:
// target 0). Baseline, same graph and run: a restart (SIGTERM, then a new daemon until
// "Starting event loop"), the way a configuration was applied before reload existed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, sleep } from './lib.mjs';

const ROUNDS = Number(process.env.RELOAD_BENCH_ROUNDS ?? 10);
const CHAINS = 10;
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'datalogd-bench-reload-'));
const config = join(dir, 'bench.conf');

function writeConfig(round) {
  const lines = [];
  for (let i = 0; i < CHAINS; i++) {
    const header = i === 0 ? `, header="'# round ${round}\\n'", mode=a` : '';
    lines.push(
      `h${i} [class=HeartbeatDataSource, interval=0.01];`,
      `t${i} [class=TimeStampDataFilter];`,
      `f${i} [class=FileDataSink, filename="${join(dir, `chain${i}.txt`)}"${header}];`,
      `n${i} [class=NullDataSink];`,
      `m${i} [class=NullDataSink];`,
      `h${i} -> t${i} -> f${i}; h${i} -> n${i}; t${i} -> m${i};`,
    );
  }
  const graph = lines.map((l) => `    ${l}`).join('\n');
  writeFileSync(config, `[datalogd]\nconnection_graph =\n  digraph {\n${graph}\n  }\n`);
}

function startDaemon() {
  const child = spawn(process.execPath, [cli, '-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'x'),
      XDG_CONFIG_DIRS: join(dir, 'y'),
    },
  });
  const state = { child, stderr: '', waiters: [] };
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    state.stderr += chunk;
    for (const wake of state.waiters.splice(0)) wake();
  });
  state.exited = new Promise((resolve) => child.on('close', resolve));
  return state;
}

async function waitFor(state, predicate, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${state.stderr}`);
    await Promise.race([new Promise((resolve) => state.waiters.push(resolve)), sleep(50)]);
  }
}

function reloadLines(state) {
  return [
    ...state.stderr.matchAll(
      /reload: kept (\d+), restarted (\d+), added \d+, removed \d+ in (\d+) ms/g,
    ),
  ];
}

/** Heartbeat values missing from (or repeated in) a chain's file; the file holds 1..N. */
function lostIn(file) {
  const values = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('['))
    .map((line) => JSON.parse(line)[0].value);
  let lost = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== i + 1) lost += 1;
  return { lost, count: values.length };
}

try {
  writeConfig(0);
  const daemon = startDaemon();
  await waitFor(daemon, () => daemon.stderr.includes('Starting event loop'), 'start');
  const logged = [];
  const observed = [];
  for (let round = 1; round <= ROUNDS; round++) {
    await sleep(300);
    writeConfig(round);
    const before = reloadLines(daemon).length;
    const sent = performance.now();
    daemon.child.kill('SIGHUP');
    await waitFor(daemon, () => reloadLines(daemon).length > before, `reload ${round}`);
    observed.push(performance.now() - sent);
    const [, kept, restarted, ms] = reloadLines(daemon).at(-1);
    if (kept !== String(CHAINS * 5 - 1) || restarted !== '1') {
      throw new Error(`round ${round}: kept ${kept}, restarted ${restarted}`);
    }
    logged.push(Number(ms));
  }
  await sleep(300);
  daemon.child.kill('SIGTERM');
  const code = await daemon.exited;
  let lost = 0;
  let carried = 0;
  for (let i = 1; i < CHAINS; i++) {
    const chain = lostIn(join(dir, `chain${i}.txt`));
    lost += chain.lost;
    carried += chain.count;
  }

  // Baseline: apply the same change by restarting.
  const restarts = [];
  for (let round = 1; round <= Math.min(ROUNDS, 5); round++) {
    const running = startDaemon();
    await waitFor(running, () => running.stderr.includes('Starting event loop'), 'start');
    await sleep(300);
    writeConfig(ROUNDS + round);
    const stopAt = performance.now();
    running.child.kill('SIGTERM');
    await running.exited;
    const next = startDaemon();
    await waitFor(next, () => next.stderr.includes('Starting event loop'), 'restart');
    restarts.push(performance.now() - stopAt);
    next.child.kill('SIGTERM');
    await next.exited;
  }

  console.log(`reload, ${CHAINS * 5}-node graph, 1 node changed, ${ROUNDS} rounds (exit ${code}):`);
  console.log(
    `  reload time logged by the daemon: median ${fmt(median(logged))} ms (max ${fmt(Math.max(...logged))})`,
  );
  console.log(`  SIGHUP to reload summary:         median ${fmt(median(observed))} ms`);
  console.log(`  records lost on unchanged paths:  ${lost} of ${carried} (target 0)`);
  console.log(
    `  baseline, restart to apply it:    median ${fmt(median(restarts))} ms, with every node's data interrupted`,
  );
  if (lost !== 0 || code !== 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
