import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RenderRequest } from '../../../../../src/plugins/sinks/plot-file/protocol.js';
import { WorkerRenderer } from '../../../../../src/plugins/sinks/plot-file/renderer.js';

const fake = new URL('./fixtures/fake-render-worker.mjs', import.meta.url);
const broken = new URL('./fixtures/broken-render-worker.mjs', import.meta.url);

function request(xTitle: string): RenderRequest {
  const series = [{ label: 'a', x: new Float64Array([1]), y: new Float64Array([2]) }];
  return {
    plot: { xKind: 'number', xTitle, yTitle: null, series },
    format: 'svg',
    width: 800,
    height: 500,
  };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('WorkerRenderer', () => {
  test('renders in a worker thread and returns the bytes it sends back', async () => {
    const renderer = new WorkerRenderer({ script: fake });
    try {
      await renderer.ready();
      assert.equal(text(await renderer.render(request('one'))), 'one');
      assert.equal(text(await renderer.render(request('two'))), 'two');
    } finally {
      await renderer.close();
    }
  });

  test('a render error is that render’s failure; the worker goes on', async () => {
    const renderer = new WorkerRenderer({ script: fake });
    try {
      await assert.rejects(renderer.render(request('fail')), /the drawing failed/);
      assert.equal(text(await renderer.render(request('after'))), 'after');
    } finally {
      await renderer.close();
    }
  });

  test('a worker that exits fails its render, and the next render starts a new worker', async () => {
    const renderer = new WorkerRenderer({ script: fake });
    try {
      await assert.rejects(renderer.render(request('crash')), /exited \(code 3\)/);
      assert.equal(text(await renderer.render(request('again'))), 'again');
    } finally {
      await renderer.close();
    }
  });

  test('a render that hangs times out, and the worker is replaced', async () => {
    const renderer = new WorkerRenderer({ script: fake, renderTimeoutMs: 200 });
    try {
      await assert.rejects(renderer.render(request('hang')), /longer than 200 ms/);
      assert.equal(text(await renderer.render(request('fresh'))), 'fresh');
    } finally {
      await renderer.close();
    }
  });

  test('libraries that cannot be loaded make ready() reject with the reason', async () => {
    const renderer = new WorkerRenderer({ script: broken });
    try {
      await assert.rejects(renderer.ready(), /Cannot find package 'vega'/);
      await assert.rejects(renderer.render(request('x')), /Cannot find package 'vega'/);
    } finally {
      await renderer.close();
    }
  });

  test('after close, renders are refused', async () => {
    const renderer = new WorkerRenderer({ script: fake });
    await renderer.ready();
    await renderer.close();
    await assert.rejects(renderer.render(request('late')), /closed/);
  });
});
