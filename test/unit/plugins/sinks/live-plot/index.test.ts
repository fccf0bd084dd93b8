import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { validateOptions } from '../../../../../src/core/options.js';
import { defaultWebAddress, setDefaultWebAddress } from '../../../../../src/io/web/address.js';
import {
  LivePlotDataSink,
  PyqtgraphDataSink,
} from '../../../../../src/plugins/sinks/live-plot/index.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';
import { waitUntil } from '../../../../helpers/wait.js';

const log = captureLogEachTest();

function problems(
  cls: typeof LivePlotDataSink | typeof PyqtgraphDataSink,
  attributes: Record<string, unknown>,
): string[] {
  return validateOptions('p', cls.name, cls.optionsSchema, attributes).problems.map(
    (p) => `${p.code} ${p.option ?? ''}: ${p.message}`,
  );
}

test('a malformed plotlayout or an unknown pen is a configuration error naming node and option', () => {
  const found = problems(PyqtgraphDataSink, {
    plotlayout: [{ traces: [{ name: 'a', pen: 'purplish', selector: [] }] }],
    npoints: 0,
  });
  assert.equal(found.length, 2);
  assert.match(found[0] ?? '', /^DATALOGD_ERR_OPTION_TYPE npoints: node "p": option "npoints"/);
  assert.match(
    found[1] ?? '',
    /^DATALOGD_ERR_OPTION_TYPE plotlayout\.0\.traces\.0\.pen: node "p": option "plotlayout\.0\.traces\.0\.pen" of PyqtgraphDataSink "purplish" is not a colour/,
  );
});

test("PyqtgraphDataSink takes Python's options, Qt-only ones included; LivePlotDataSink adds host, port, window, token", () => {
  assert.deepEqual(
    problems(PyqtgraphDataSink, {
      npoints: 100,
      xlink: false,
      crosshair: 0,
      title: 'T',
      size: '(1000, 600)',
      show: true,
      border: true,
    }),
    [],
  );
  assert.match(problems(PyqtgraphDataSink, { port: 1 })[0] ?? '', /DATALOGD_ERR_UNKNOWN_OPTION/);
  assert.deepEqual(
    problems(LivePlotDataSink, { host: '127.0.0.1', port: 0, window: 30, token_env: 'PATH' }),
    [],
  );
  assert.match(problems(LivePlotDataSink, { window: 0 })[0] ?? '', /option "window"/);
  assert.match(
    problems(LivePlotDataSink, { token_env: 'DATALOGD_NO_SUCH_VARIABLE' })[0] ?? '',
    /names the environment variable DATALOGD_NO_SUCH_VARIABLE, which is not set/,
  );
  assert.match(problems(LivePlotDataSink, { size: [10, 10] })[0] ?? '', /option "size\.0"/);
});

interface Message {
  type: string;
  traces?: unknown;
  panels?: { ylabel: string; traces: { name: string; units: string | null }[] }[];
  units?: unknown;
  skipped?: Record<string, number>;
}

function client(url: string): Promise<{ ws: WebSocket; messages: Message[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: Message[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as Message));
    ws.once('open', () => {
      resolve({ ws, messages });
    });
    ws.once('error', reject);
  });
}

function pointsOf(messages: readonly Message[], trace: number): [number[], number[]] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const m of messages) {
    if (m.type !== 'points') continue;
    for (const [index, x, y] of m.traces as [number, number[], number[]][]) {
      if (index !== trace) continue;
      xs.push(...x);
      ys.push(...y);
    }
  }
  return [xs, ys];
}

test('a page gets the layout, then what the sink holds, then live points; skips are counted', async () => {
  const options = LivePlotDataSink.optionsSchema.parse({
    port: 0,
    npoints: 3,
    plotlayout: [
      {
        ylabel: 'T',
        traces: [
          { name: 'a', selector: [['id', 'a']] },
          { name: 'b', selector: [['id', 'b']] },
        ],
      },
    ],
  });
  const sink = new LivePlotDataSink(options);
  sink.nodeName = 'plot';
  await sink.start();
  try {
    assert.match(
      log.current.text(),
      /\[plot\] Live plot at http:\/\/127\.0\.0\.1:\d+\/plot\/plot\//,
    );
    for (let i = 1; i <= 5; i++) {
      sink.receive([{ id: 'a', value: i, units: 'C', timestamp: new Date(1000 * i) }]);
    }
    sink.receive([{ id: 'b', value: 'x' }, { id: 'c', value: 1 }, { id: 'a' }, 'text']);
    sink.receive(null);
    const url = (sink.url ?? '').replace('http:', 'ws:') + 'ws';
    const page = await client(url);
    await waitUntil(() => page.messages.some((m) => m.type === 'synced'), 'the backlog');
    const [hello] = page.messages;
    assert.equal(hello?.type, 'hello');
    assert.deepEqual(
      hello.panels?.map((p) => [p.ylabel, p.traces.map((t) => [t.name, t.units])]),
      [
        [
          'T',
          [
            ['a', 'C'],
            ['b', null],
          ],
        ],
      ],
    );
    assert.deepEqual(
      pointsOf(page.messages, 0),
      [
        [3000, 4000, 5000],
        [3, 4, 5],
      ],
      'npoints=3: the newest 3',
    );
    sink.receive([
      { id: 'a', value: 6, timestamp: new Date(6000) },
      { id: 'b', value: 7, timestamp: new Date(6000) },
    ]);
    await waitUntil(() => pointsOf(page.messages, 1)[0].length === 1, 'the live point of b');
    assert.deepEqual(pointsOf(page.messages, 0), [
      [3000, 4000, 5000, 6000],
      [3, 4, 5, 6],
    ]);
    const live = page.messages.filter((m) => m.type === 'points').at(-1);
    assert.deepEqual(
      live?.traces,
      [
        [0, [6000], [6]],
        [1, [6000], [7]],
      ],
      'both traces in one batch',
    );
    const stats = sink.stats();
    assert.equal(stats.records_in, 11);
    assert.equal(stats.points_in, 7);
    assert.equal(stats.plot_skipped, 3, "c matched no trace, a had no value, 'text' is no record");
    assert.equal(stats.plot_bad_values, 1, "b's value is not a number");
    assert.equal(stats.pages, 1);
    assert.equal(stats.points_held, 4);
    assert.equal(log.current.withCode('DATALOGD_ERR_PLOT_BAD_VALUE').length, 1);
    page.ws.close();
  } finally {
    await sink.close();
  }
});

test('a time window keeps only the newest seconds of a trace', async () => {
  const sink = new LivePlotDataSink(LivePlotDataSink.optionsSchema.parse({ port: 0, window: 2 }));
  await sink.start();
  try {
    for (const s of [1, 2, 3, 4, 5]) sink.receive({ value: s, timestamp: new Date(s * 1000) });
    assert.equal(sink.stats().points_held, 3, '3 s, 4 s and 5 s are within 2 s of the newest');
  } finally {
    await sink.close();
  }
});

test('Qt-only options are named once at start, and closing frees the port', async () => {
  const sink = new LivePlotDataSink(
    LivePlotDataSink.optionsSchema.parse({
      port: 0,
      show: true,
      plotlayout: [{ traces: [{ name: 'a', fillLevel: 0 }] }],
    }),
  );
  sink.nodeName = 'q';
  await sink.start();
  const url = sink.url ?? '';
  await sink.close();
  assert.equal(
    log.current.lines.filter((l) =>
      l.includes('Options for Qt only, accepted and ignored in the browser: show, fillLevel.'),
    ).length,
    1,
  );
  await assert.rejects(fetch(url), /fetch failed/);
});

test("PyqtgraphDataSink is served at the daemon's default web address, which the runtime can set", async () => {
  const before = defaultWebAddress();
  setDefaultWebAddress({ host: '127.0.0.1', port: 0, token: 'tok' });
  const sink = new PyqtgraphDataSink(PyqtgraphDataSink.optionsSchema.parse({ title: 'Py' }));
  sink.nodeName = 'py';
  try {
    await sink.start();
    const url = sink.url ?? '';
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/plot\/py\/$/);
    assert.equal((await fetch(url)).status, 401, "the default address's token applies");
    const page = await fetch(`${url}?token=tok`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Py<\/title>/);
  } finally {
    await sink.close();
    setDefaultWebAddress(before);
  }
});
