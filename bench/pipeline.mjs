// Records per second through the lab-style pipeline of examples/lab-pipeline.conf, with its
// sinks swapped for counters: source -> polynomial -> timestamp -> { aggregator -> CSV -> sink,
// sink }. Beside it, in the same process and run: the same topology built from NullDataFilters
// (what dispatch alone costs) and a plain function chain of the same shape (the floor).
import { DataSink, DataSource, NullDataFilter } from '../dist/index.js';
import { AggregatorDataFilter } from '../dist/plugins/filters/aggregator.js';
import { CSVDataFilter } from '../dist/plugins/filters/csv.js';
import { PolynomialFunctionDataFilter } from '../dist/plugins/filters/polynomial.js';
import { TimeStampDataFilter } from '../dist/plugins/filters/timestamp.js';
import { fmt, median } from './lib.mjs';

const SENDS = Number(process.env.PIPELINE_SENDS ?? 500_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RECORDS_PER_SEND = 2;

class CountingDataSink extends DataSink {
  count = 0;
  receive() {
    this.count += 1;
  }
}

const options = (cls, values) => cls.optionsSchema.parse(values);

function buildPipeline() {
  const source = new DataSource();
  const volts = new PolynomialFunctionDataFilter(
    options(PolynomialFunctionDataFilter, {
      match_keyvals: [['type', 'analog']],
      coeffs: [-0.5, 0.005],
      rounding: 3,
      units: 'V',
    }),
  );
  const stamp = new TimeStampDataFilter();
  const block = new AggregatorDataFilter(
    options(AggregatorDataFilter, { buffer_size: 100, send_every: 100 }),
  );
  const csv = new CSVDataFilter(options(CSVDataFilter, { header: 'once' }));
  return wire(source, volts, stamp, block, csv);
}

/** The lab pipeline's shape: source -> volts -> stamp -> {block -> csv -> file, screen}. */
function wire(source, volts, stamp, block, csv) {
  const file = new CountingDataSink();
  const screen = new CountingDataSink();
  source.connectSinks(volts);
  volts.connectSinks(stamp);
  stamp.connectSinks([block, screen]);
  block.connectSinks(csv);
  csv.connectSinks(file);
  return { source, file, screen };
}

function buildNullPipeline() {
  const source = new DataSource();
  const [volts, stamp, block, csv] = [0, 1, 2, 3].map(() => new NullDataFilter());
  return wire(source, volts, stamp, block, csv);
}

function buildPlain() {
  const counts = { file: 0, screen: 0 };
  const file = () => {
    counts.file += 1;
  };
  const screen = () => {
    counts.screen += 1;
  };
  const csv = (data) => file(data);
  const block = (data) => csv(data);
  const stamp = (data) => {
    block(data);
    screen(data);
  };
  const volts = (data) => stamp(data);
  return { send: volts, counts };
}

function readings(i) {
  return [
    { type: 'analog', id: 'randomwalk0', value: 1000 + (i % 7) * 10 },
    { type: 'analog', id: 'randomwalk1', value: 2000 + (i % 5) * 25 },
  ];
}

function timeGraph(build, expectFile) {
  const { source, file, screen } = build();
  const batches = Array.from({ length: 64 }, (_, i) => readings(i));
  const started = process.hrtime.bigint();
  for (let i = 0; i < SENDS; i++) source.send(batches[i & 63]);
  const ns = Number(process.hrtime.bigint() - started);
  if (screen.count !== SENDS) throw new Error(`screen got ${screen.count} of ${SENDS}`);
  if (file.count !== expectFile) throw new Error(`file got ${file.count}, not ${expectFile}`);
  return ns;
}

function timePlain() {
  const { send, counts } = buildPlain();
  const batches = Array.from({ length: 64 }, (_, i) => readings(i));
  const started = process.hrtime.bigint();
  for (let i = 0; i < SENDS; i++) send(batches[i & 63]);
  const ns = Number(process.hrtime.bigint() - started);
  if (counts.screen !== SENDS) throw new Error(`plain chain delivered ${counts.screen}`);
  return ns;
}

const perSecond = (ns) => (SENDS * RECORDS_PER_SEND) / (ns / 1e9);
const pipelineRuns = [];
const nullRuns = [];
const plainRuns = [];
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so that machine noise falls on all three alike.
  plainRuns.push(perSecond(timePlain()));
  nullRuns.push(perSecond(timeGraph(buildNullPipeline, SENDS)));
  pipelineRuns.push(perSecond(timeGraph(buildPipeline, Math.floor(SENDS / 100))));
}
const pipeline = median(pipelineRuns);
const nullGraph = median(nullRuns);
const plain = median(plainRuns);
const k = (v) => `${fmt(v / 1000, 0)} k`;
console.log(
  `pipeline: ${SENDS} receipts of ${RECORDS_PER_SEND} records, lab pipeline (polynomial, timestamp, aggregator 100/100, CSV), median of ${RUNS} runs`,
);
console.log(
  `  lab pipeline          : ${k(pipeline)} records/s  (${fmt(1e9 / (pipeline / RECORDS_PER_SEND), 0)} ns/receipt)`,
);
console.log(`  same graph, Null nodes: ${k(nullGraph)} records/s  (dispatch only)`);
console.log(`  plain function chain  : ${k(plain)} records/s  (same shape, no work)`);
console.log(
  `  the filters' work costs ${fmt(nullGraph / pipeline, 1)}x the dispatch; dispatch is ${fmt(plain / nullGraph, 2)}x a plain chain`,
);
console.log(
  `  runs lab: ${pipelineRuns.map(k).join(', ')}; null: ${nullRuns.map(k).join(', ')}; plain: ${plainRuns.map(k).join(', ')}`,
);
