#!/usr/bin/env node
// Node 20's test runner does not find .ts files by itself, so this lists them and runs
// them through tsx. Arguments narrow the run: `node scripts/run-tests.mjs test/unit`.
//
// The run gets a temporary directory of its own (TMPDIR for the tests, the daemons and the
// peers they start). Tests must leave nothing behind there: whatever is left at the end
// (tsx's compile cache aside) is listed and fails the run, and the directory is removed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The *.test.ts files under `path`; a file named on the command line runs whatever its name. */
function collect(path, out, named = false) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (named || path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, [], true));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const runTmp = mkdtempSync(join(tmpdir(), 'datalogd-test-run-'));
// tsx keeps its compile cache in tmpdir()/tsx-<uid>; inside runTmp it is shared by every test
// process of this run and removed with it.
const isCache = (name) => /^tsx-\d+$/.test(name);
let status;
try {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=2',
      '--test-timeout=120000',
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, TMPDIR: runTmp } },
  );
  status = result.status ?? 1;
  const leftovers = readdirSync(runTmp).filter((name) => !isCache(name));
  if (leftovers.length > 0) {
    console.error(
      `\nThe tests left ${leftovers.length} entries in the temporary directory (they must clean up):`,
    );
    for (const name of leftovers.sort()) console.error(`  ${name}`);
    status = status === 0 ? 1 : status;
  }
} finally {
  rmSync(runTmp, { recursive: true, force: true });
}
process.exit(status);
