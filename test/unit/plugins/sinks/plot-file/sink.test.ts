import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatalogdError } from '../../../../../src/core/errors.js';
import type { RenderRequest } from '../../../../../src/plugins/sinks/plot-file/protocol.js';
import type { PlotRenderer } from '../../../../../src/plugins/sinks/plot-file/renderer.js';
import { MatplotlibDataSink } from '../../../../../src/plugins/sinks/plot-file/sink.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';
import { waitUntil } from '../../../../helpers/wait.js';

/** Draws a plot as the text "label:points,..." so that a test can read what was drawn. */
class FakeRenderer implements PlotRenderer {
  readonly requests: RenderRequest[] = [];
  failWith: Error | undefined;
  readyError: Error | undefined;
  closed = false;

  ready(): Promise<void> {
    return this.readyError === undefined ? Promise.resolve() : Promise.reject(this.readyError);
  }

  render(request: RenderRequest): Promise<Uint8Array> {
    this.requests.push(request);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const text = request.plot.series.map((s) => `${s.label}:${[...s.y].join(' ')}`).join(',');
    return Promise.resolve(Buffer.from(text));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const log = captureLogEachTest();
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datalogd-plot-sink-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeSink(options: Record<string, unknown>): {
  sink: MatplotlibDataSink;
  renderer: FakeRenderer;
} {
  const renderer = new FakeRenderer();
  const sink = new MatplotlibDataSink(MatplotlibDataSink.optionsSchema.parse(options), {
    renderer,
  });
  sink.nodeName = 'plot';
  return { sink, renderer };
}

const t = (n: number): Date[] => Array.from({ length: n }, (_, i) => new Date(1.7e12 + i * 1000));
const walk = (v: number[]) => [{ type: 'analog', id: 'w0', timestamp: t(v.length), value: v }];

describe('MatplotlibDataSink', () => {
  test('draws a receipt into its file with the format of its extension and counts the render', async () => {
    const file = join(dir, 'first.png');
    const { sink, renderer } = makeSink({ filename: file, min_interval: 0 });
    await sink.start();
    sink.receive(walk([1, 2, 3]));
    await sink.flush();
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:1 2 3');
    assert.equal(renderer.requests[0]?.format, 'png');
    assert.equal(renderer.requests[0].width, 800);
    const stats = sink.stats();
    assert.equal(stats.receipts_received, 1);
    assert.equal(stats.renders, 1);
    assert.equal(stats.files_written, 1);
    assert.equal(stats.plots_pending, 0);
    await sink.close();
    assert.equal(renderer.closed, true);
  });

  test('every counter shows from the start, as 0', () => {
    const { sink } = makeSink({ filename: join(dir, 'zero.svg') });
    assert.deepEqual(sink.stats(), {
      receipts_received: 0,
      receipts_unplotted: 0,
      receipts_superseded: 0,
      renders: 0,
      files_written: 0,
      records_unplotted: 0,
      values_unplotted: 0,
      render_errors: 0,
      write_errors: 0,
      plots_pending: 0,
    });
  });

  test('bad input is a counted skip with its code: nothing is drawn from it and the file stays', async () => {
    const file = join(dir, 'bad.svg');
    const { sink, renderer } = makeSink({ filename: file, min_interval: 0 });
    await sink.start();
    sink.receive(walk([5]));
    await sink.flush();
    sink.receive([
      { type: 'analog', id: 'w0', value: [1, 2] },
      'text',
      { timestamp: [], value: [] },
    ]);
    sink.receive([]);
    sink.receive(null);
    await sink.flush();
    sink.receive(walk([1, Number.NaN, 'high' as unknown as number, 4]));
    await sink.flush();
    assert.equal(renderer.requests.length, 2, 'receipts with nothing to draw draw nothing');
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:1 4');
    const stats = sink.stats();
    assert.equal(stats.records_unplotted, 3, 'no timestamp, text, empty lists (null is nothing)');
    assert.equal(stats.values_unplotted, 2);
    assert.equal(stats.receipts_unplotted, 3);
    assert.equal(
      log.current.withCode('DATALOGD_ERR_PLOT_FILE_RECORD_SKIPPED').length,
      3,
      'one per event',
    );
    const values = log.current.withCode('DATALOGD_ERR_PLOT_FILE_VALUE_SKIPPED');
    assert.equal(values.length, 1);
    assert.match(values[0] ?? '', /WARNING.*\[plot\].*bad\.svg.*\(2 so far\)/);
    await sink.close();
  });

  test('receipts that come faster than min_interval replace each other; close draws the latest', async () => {
    const file = join(dir, 'fast.svg');
    const { sink, renderer } = makeSink({ filename: file, min_interval: 3600 });
    await sink.start();
    sink.receive(walk([1]));
    await waitUntil(() => renderer.requests.length === 1, 'the first draw');
    for (let i = 2; i <= 5; i++) sink.receive(walk([i]));
    assert.equal(sink.stats().plots_pending, 1, 'one pending receipt at most');
    assert.equal(sink.stats().receipts_superseded, 3);
    await sink.close();
    assert.deepEqual(
      renderer.requests.map((r) => [...(r.plot.series[0]?.y ?? [])]),
      [[1], [5]],
    );
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:5');
    sink.receive(walk([6]));
    assert.equal(sink.stats().receipts_unplotted, 1, 'a receipt after close is counted');
  });

  test('a render failure is logged with the path and counted; the file keeps its last plot until drawing works again', async () => {
    const file = join(dir, 'render.svg');
    const { sink, renderer } = makeSink({ filename: file, min_interval: 0 });
    await sink.start();
    sink.receive(walk([1]));
    await sink.flush();
    renderer.failWith = new Error('vega exploded');
    sink.receive(walk([2]));
    await sink.flush();
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:1');
    assert.equal(sink.stats().render_errors, 1);
    const [line] = log.current.withCode('DATALOGD_ERR_PLOT_FILE_RENDER');
    assert.match(line ?? '', /ERROR.*cannot draw .*render\.svg: vega exploded/);
    assert.equal(sink.stats().plots_pending, 1, 'the failed plot waits for the retry');
    renderer.failWith = undefined;
    await sink.flush();
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:2');
    await sink.close();
  });

  test('a removed directory is a counted write error with the path; writing resumes when it is back', async () => {
    const sub = join(dir, 'comes-and-goes');
    const file = join(sub, 'plot.pdf');
    const { sink } = makeSink({ filename: file, min_interval: 0 });
    await sink.start();
    sink.receive(walk([1]));
    await sink.flush();
    assert.equal(sink.stats().write_errors, 1);
    const [line] = log.current.withCode('DATALOGD_ERR_FILE_WRITE');
    assert.match(line ?? '', /cannot write .*comes-and-goes\/plot\.pdf: ENOENT/);
    await mkdir(sub);
    await sink.flush();
    assert.equal(await readFile(file, 'utf8'), 'analog_w0:1');
    assert.deepEqual(await readdir(sub), ['plot.pdf'], 'no temporary file left behind');
    await sink.close();
  });

  test('start fails with a start error when the plotting libraries cannot be loaded', async () => {
    const { sink, renderer } = makeSink({ filename: join(dir, 'never.svg') });
    renderer.readyError = new Error("Cannot find package 'vega'");
    await assert.rejects(sink.start(), (err: unknown) => {
      assert.ok(err instanceof DatalogdError);
      assert.equal(err.code, 'DATALOGD_ERR_NODE_START');
      assert.match(
        err.message,
        /node "plot": cannot load the plotting libraries: Cannot find package 'vega'/,
      );
      return true;
    });
    await sink.close();
  });
});
