// Time from starting `datalogd` to its first record on stdout, over several cold starts,
// beside a bare `node` printing one line, measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, timeToFirstLine } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'datalogd-bench-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'c'),
  XDG_CONFIG_DIRS: join(home, 's'),
};
const graph = 'digraph { w [class=RandomWalkDataSource]; p [class=PrintDataSink]; w -> p; }';

const daemonRuns = [];
const nodeRuns = [];
try {
  for (let i = 0; i < RUNS; i++) {
    nodeRuns.push(await timeToFirstLine(process.execPath, ['-e', 'console.log(1)'], env));
    daemonRuns.push(await timeToFirstLine(process.execPath, [cli, '-g', graph], env));
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
const daemonMs = median(daemonRuns);
const nodeMs = median(nodeRuns);
console.log(`startup: time to first record, median of ${RUNS} cold starts`);
console.log(`  datalogd -g randomwalk->print: ${fmt(daemonMs)} ms  (target < 500 ms)`);
console.log(`  bare node -e console.log     : ${fmt(nodeMs)} ms`);
console.log(`  datalogd's own share          : ${fmt(daemonMs - nodeMs)} ms`);
