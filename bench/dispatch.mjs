// Dispatch cost per hop: a source, five NullDataFilters and a sink, 10^7 sends, beside a
// plain function-call chain of the same depth measured in the same process and run.
import { DataSink, DataSource, NullDataFilter } from '../dist/index.js';
import { fmt, median } from './lib.mjs';

const SENDS = Number(process.env.DISPATCH_SENDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOPS = 6; // source -> f1 .. f5 -> sink

class CountingDataSink extends DataSink {
  count = 0;
  receive() {
    this.count += 1;
  }
}

function buildGraph() {
  const source = new DataSource();
  const sink = new CountingDataSink();
  let upstream = source;
  for (let i = 0; i < 5; i++) {
    const filter = new NullDataFilter();
    upstream.connectSinks(filter);
    upstream = filter;
  }
  upstream.connectSinks(sink);
  return { source, sink };
}

function buildPlainChain() {
  const counter = { count: 0 };
  const sink = () => {
    counter.count += 1;
  };
  let next = sink;
  for (let i = 0; i < 5; i++) {
    const downstream = next;
    next = (data) => downstream(data);
  }
  return { send: next, counter };
}

function timeGraph() {
  const { source, sink } = buildGraph();
  const record = [{ type: 'analog', id: 'x', value: 1 }];
  const started = process.hrtime.bigint();
  for (let i = 0; i < SENDS; i++) source.send(record);
  const ns = Number(process.hrtime.bigint() - started);
  if (sink.count !== SENDS) throw new Error(`graph delivered ${sink.count} of ${SENDS}`);
  return ns / SENDS;
}

function timePlain() {
  const { send, counter } = buildPlainChain();
  const record = [{ type: 'analog', id: 'x', value: 1 }];
  const started = process.hrtime.bigint();
  for (let i = 0; i < SENDS; i++) send(record);
  const ns = Number(process.hrtime.bigint() - started);
  if (counter.count !== SENDS)
    throw new Error(`plain chain delivered ${counter.count} of ${SENDS}`);
  return ns / SENDS;
}

const graphRuns = [];
const plainRuns = [];
for (let run = 0; run < RUNS; run++) {
  // Alternate so that machine noise falls on both sides alike.
  plainRuns.push(timePlain());
  graphRuns.push(timeGraph());
}
const graphNs = median(graphRuns);
const plainNs = median(plainRuns);
console.log(`dispatch: ${SENDS} sends through ${HOPS} hops, median of ${RUNS} runs`);
console.log(`  datalogd graph : ${fmt(graphNs, 2)} ns/send  (${fmt(graphNs / HOPS, 2)} ns/hop)`);
console.log(`  plain functions: ${fmt(plainNs, 2)} ns/send  (${fmt(plainNs / HOPS, 2)} ns/hop)`);
console.log(`  ratio graph/plain: ${fmt(graphNs / plainNs, 2)}x  (target <= 2x)`);
console.log(
  `  runs graph: ${graphRuns.map((v) => fmt(v, 1)).join(', ')}; plain: ${plainRuns.map((v) => fmt(v, 1)).join(', ')}`,
);
