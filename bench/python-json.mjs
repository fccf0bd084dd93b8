// Python-JSON parse speed (issue 10): a message whose values are NaN and Infinity, or that
// carries 19-digit nanosecond timestamps, against the same message with plain numbers, all
// through datalogd's parsePythonJson, beside bare JSON.parse of the plain message. Target:
// the NaN-heavy message within 2x of the plain one.
//
// Environment: BENCH_RUNS (5), JSON_ITERATIONS (100000).
import { parsePythonJson } from '../dist/python/json.js';
import { fmt, median } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const N = Number(process.env.JSON_ITERATIONS ?? 100_000);

function message(value) {
  const records = Array.from(
    { length: 20 },
    (_, i) => `{"type": "analog", "id": "sensor_${i}", "value": ${value(i)}, "units": "V"}`,
  );
  return `[${records.join(', ')}]`;
}

const plain = message((i) => `${i}.25`);
const nonFinite = message((i) => ['NaN', 'Infinity', '-Infinity'][i % 3]);
const nanoseconds = message((i) => `${1733100000123456789n + BigInt(i)}`);

function nsPerParse(parse, text) {
  for (let i = 0; i < N / 10; i++) parse(text);
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) parse(text);
  return Number(process.hrtime.bigint() - start) / N;
}

// Each run measures every case back to back, and ratios are taken within a run, so that
// load from other processes (the machines are shared) cancels out as far as it can.
const runs = { bare: [], plain: [], nonFinite: [], nanoseconds: [], nanRatio: [], intRatio: [] };
for (let run = 0; run < RUNS; run++) {
  const bare = nsPerParse(JSON.parse, plain);
  const ours = nsPerParse(parsePythonJson, plain);
  const nan = nsPerParse(parsePythonJson, nonFinite);
  const ints = nsPerParse(parsePythonJson, nanoseconds);
  runs.bare.push(bare);
  runs.plain.push(ours);
  runs.nonFinite.push(nan);
  runs.nanoseconds.push(ints);
  runs.nanRatio.push(nan / ours);
  runs.intRatio.push(ints / ours);
}
const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
console.log(`python-json: messages of 20 records (~${plain.length} bytes), median of ${RUNS} runs`);
console.log(`  JSON.parse, plain numbers      : ${fmt(m.bare / 1000, 2)} us/message`);
console.log(
  `  parsePythonJson, plain numbers : ${fmt(m.plain / 1000, 2)} us/message (${fmt(m.plain / m.bare, 2)}x bare)`,
);
console.log(
  `  parsePythonJson, NaN/Infinity  : ${fmt(m.nonFinite / 1000, 2)} us/message (${fmt(m.nanRatio, 2)}x plain; target <= 2x)`,
);
console.log(
  `  parsePythonJson, 19-digit ints : ${fmt(m.nanoseconds / 1000, 2)} us/message (${fmt(m.intRatio, 2)}x plain, exact)`,
);
