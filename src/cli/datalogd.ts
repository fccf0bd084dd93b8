#!/usr/bin/env node
/**
 * The `datalogd` command. It imports the program (main.ts) dynamically, with only the
 * report below loaded before it: Node.js reads a module's imports many files at a time, so
 * with a low open-file limit loading the program itself fails, and that must be one clear
 * line, not a stack trace.
 */
import { noteOpenFileLimits, openFilesProblem } from './open-files.js';

noteOpenFileLimits();
try {
  await import('./main.js');
} catch (err) {
  const problem = openFilesProblem(err);
  if (problem === undefined) throw err;
  process.stderr.write(`datalogd will not start: [${problem.code}] ${problem.message}\n`);
  process.exit(1);
}
