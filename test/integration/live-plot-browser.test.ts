// The live plot in a real browser: Debian's chromium, driven by playwright-core, against
// the real `datalogd` command fed over a loopback socket by the Python peer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { freePort, pyPeer, serverPort } from '../helpers/peers.js';
import { waitUntil } from '../helpers/wait.js';

const LAYOUT =
  "[{'ylabel': 'Temperature', 'traces': [" +
  "{'name': 'TC 1', 'pen': 'r', 'selector': [['type', 'temperature'], ['id', 'TC_1']]}," +
  "{'name': 'TC 2', 'pen': (0, 255, 0), 'selector': [['type', 'temperature'], ['id', 'TC_2']]}]}," +
  "{'ylabel': 'Flow', 'traces': [{'name': 'Inlet', 'pen': {'color': '#ffff00', 'width': 2}, 'selector': [['type', 'flow']]}]}]";

let sandbox: Sandbox;
let browser: BrowserContext;
let plotPort: number;
const pageErrors: string[] = [];

before(async () => {
  sandbox = await makeSandbox();
  plotPort = await freePort();
  browser = await chromium.launchPersistentContext(join(sandbox.dir, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1000, height: 700 },
    acceptDownloads: true,
  });
});

after(async () => {
  await browser.close();
  await sandbox.cleanup();
});

function graph(): string {
  return `digraph {
    src [class=SocketDataFilter, port=0];
    plot [class=LivePlotDataSink, port=${plotPort}, title="Cooling loop", plotlayout="${LAYOUT}"];
    src -> plot;
  }`;
}

interface Running {
  readonly daemon: DaemonProcess;
  readonly feedPort: number;
  readonly url: string;
}

async function startDaemon(): Promise<Running> {
  const daemon = new DaemonProcess(['-g', graph()], sandbox.env);
  const feedPort = await serverPort(daemon, 'src');
  await daemon.waitForStderr(/\[plot\] Live plot at (\S+)/);
  const url = /\[plot\] Live plot at (\S+)/.exec(daemon.stderr)?.[1] ?? '';
  assert.equal(url, `http://127.0.0.1:${plotPort}/plot/plot/`);
  return { daemon, feedPort, url };
}

/** Sends each list of records as one message, through the Python peer. */
async function send(port: number, ...messages: unknown[][]): Promise<void> {
  const peer = pyPeer(['send', '--port', String(port), ...messages.map((m) => JSON.stringify(m))]);
  assert.equal(await peer.exited, 0);
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(url);
  await inPage(page, 'window.datalogdLivePlot.stats.syncs > 0', 'the backlog to arrive');
  return page;
}

// Code run in the page is written as text: the project's TypeScript has no DOM types.

/** The chart data as uPlot holds it: per panel, [x, ...ys]. */
function chartData(page: Page): Promise<(number | null)[][][]> {
  return page.evaluate<(number | null)[][][]>(
    'window.datalogdLivePlot.charts.map((c) => c.data.map((col) => [...col]))',
  );
}

/** The points uPlot holds over every series of every chart (gaps not counted). */
function drawnPoints(page: Page): Promise<number> {
  return page.evaluate<number>(
    `window.datalogdLivePlot.charts.reduce(
      (n, c) => n + c.data.slice(1).reduce((m, col) => m + col.filter((v) => v !== null).length, 0),
      0,
    )`,
  );
}

/**
 * Waits until `expression` holds in the page. (Not waitForFunction: that evaluates text with
 * eval, which the page's Content-Security-Policy rightly forbids.)
 */
async function inPage(
  page: Page,
  expression: string,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  await waitUntil(async () => await page.evaluate<boolean>(expression), what, {
    timeoutMs,
  });
}

function statusText(page: Page): Promise<string> {
  return page.evaluate<string>("document.getElementById('status').textContent");
}

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

test('the live plot in chromium: layout, values at their times, growth, backlog, downloads, a restart', async () => {
  let running = await startDaemon();
  try {
    await send(running.feedPort, [
      { type: 'temperature', id: 'TC_1', value: 21.5, units: 'C', timestamp: at(0) },
      { type: 'temperature', id: 'TC_2', value: 19.25, units: 'C', timestamp: at(0) },
      { type: 'flow', id: 'A_0', value: 0.75, units: 'l/min', timestamp: at(0) },
    ]);
    const page = await openPage(running.url);

    // Panels and traces of the plotlayout, with their names; units in the axis labels.
    const structure = await page.evaluate(`({
      panels: document.querySelectorAll('.uplot').length,
      series: window.datalogdLivePlot.charts.map((c) => c.series.map((s) => s.label)),
      axes: window.datalogdLivePlot.charts.map((c) => c.axes[1].label),
      title: document.title,
    })`);
    assert.deepEqual(structure, {
      panels: 2,
      series: [
        ['Time', 'TC 1', 'TC 2'],
        ['Time', 'Inlet'],
      ],
      axes: ['Temperature (C)', 'Flow (l/min)'],
      title: 'Cooling loop',
    });

    // A record sent with a known value and time is drawn at that value and time.
    await waitUntil(async () => (await drawnPoints(page)) === 3, 'the first three points drawn');
    const first = await chartData(page);
    assert.deepEqual(first, [
      [[T0], [21.5], [19.25]],
      [[T0], [0.75]],
    ]);

    // The drawn point count grows as records arrive.
    for (let s = 1; s <= 5; s++) {
      await send(running.feedPort, [
        { type: 'temperature', id: 'TC_1', value: 21.5 + s, timestamp: at(s) },
        { type: 'flow', id: 'A_0', value: 0.75 + s / 10, timestamp: at(s) },
      ]);
    }
    await waitUntil(async () => (await drawnPoints(page)) === 13, 'thirteen points drawn', {
      detail: () => running.daemon.stderr,
    });
    const grown = await chartData(page);
    assert.deepEqual(
      grown[0]?.[0],
      [0, 1, 2, 3, 4, 5].map((s) => T0 + s * 1000),
    );
    assert.deepEqual(grown[0][1], [21.5, 22.5, 23.5, 24.5, 25.5, 26.5]);
    assert.deepEqual(grown[0][2], [19.25, null, null, null, null, null], 'TC 2 has one point');

    // Bad input: no trace matches, no value, not a number. Counted, shown, nothing breaks.
    await send(running.feedPort, [
      { type: 'humidity', id: 'H', value: 40, timestamp: at(6) },
      { type: 'flow', id: 'A_0', timestamp: at(6) },
      { type: 'temperature', id: 'TC_1', value: 'hot', timestamp: at(6) },
      { type: 'temperature', id: 'TC_1', value: 1, timestamp: 'not a time' },
    ]);
    await waitUntil(
      async () =>
        /2 records matched no trace.*2 records had a value that cannot be plotted/.test(
          await statusText(page),
        ),
      'the skip counts on the page',
    );
    assert.equal(await drawnPoints(page), 13);

    // A page opened late receives the backlog.
    const late = await openPage(running.url);
    await waitUntil(async () => (await drawnPoints(late)) === 13, 'the backlog on a late page');
    assert.deepEqual(await chartData(late), await chartData(page));
    await late.close();

    // The index page lists the plot.
    const index = await browser.newPage();
    await index.goto(`http://127.0.0.1:${plotPort}/`);
    assert.equal(await index.locator('#pages a').first().textContent(), 'Cooling loop');
    await index.close();

    // Downloads: the visible data as CSV, the charts as PNG.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const csvText = await readFile(await csv.path(), 'utf8');
    const lines = csvText.trim().split('\r\n');
    assert.equal(lines[0], 'timestamp,TC 1 (C),TC 2 (C),Inlet (l/min)');
    assert.equal(lines[1], `${at(0)},21.5,19.25,0.75`);
    assert.equal(lines.length, 7);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
    const pngBytes = await readFile(await png.path());
    assert.deepEqual([...pngBytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');

    // Pause stops the view from following; new data still arrives.
    await page.click('#pause');
    assert.match(await statusText(page), /^Paused/);
    await page.click('#pause');

    // A screenshot of the page is not blank.
    const shot = await page.screenshot({ path: join(sandbox.dir, 'live-plot.png') });
    const spread = await pixelSpread(page, shot);
    assert.ok(spread > 100, `the screenshot has visible content (grey-level variance ${spread})`);

    // The page survives a daemon restart: it says so while it waits, then resynchronises.
    await running.daemon.stop();
    await waitUntil(
      async () => /Disconnected from datalogd/.test(await statusText(page)),
      'the page to say it is disconnected',
    );
    running = await startDaemon();
    await inPage(
      page,
      'window.datalogdLivePlot.stats.hellos === 2',
      'the page to reconnect',
      15_000,
    );
    await send(running.feedPort, [
      { type: 'temperature', id: 'TC_1', value: -3.5, timestamp: at(10) },
    ]);
    await waitUntil(async () => (await drawnPoints(page)) === 1, "the new daemon's point");
    const restarted = await chartData(page);
    assert.deepEqual(restarted[0], [[T0 + 10_000], [-3.5], [null]]);
    assert.match(await statusText(page), /^Live/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  } finally {
    await running.daemon.stop();
  }
});

/** The variance of grey levels in a PNG, decoded by the browser itself. */
async function pixelSpread(page: Page, png: Buffer): Promise<number> {
  return page.evaluate<number>(
    `(async (base64) => {
      const image = new Image();
      image.src = 'data:image/png;base64,' + base64;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(image, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let sumSq = 0;
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
        sum += grey;
        sumSq += grey * grey;
      }
      const mean = sum / n;
      return sumSq / n - mean * mean;
    })('${png.toString('base64')}')`,
  );
}

test('in chromium, "Last hour" draws what the SQLite store holds beyond the live points, and "Live only" puts it away', async () => {
  const store = join(sandbox.dir, 'browser-history.sqlite');
  const daemon = new DaemonProcess(
    [
      '-g',
      `digraph {
        src [class=SocketDataFilter, port=0];
        db [class=SQLiteDataSink, filename="${store}", flush_interval=0.1];
        plot [class=LivePlotDataSink, port=0, npoints=50, title="History"];
        src -> db; src -> plot;
      }`,
    ],
    sandbox.env,
  );
  const page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  try {
    const feedPort = await serverPort(daemon, 'src');
    await daemon.waitForStderr(/\[plot\] Live plot at (\S+)/);
    const url = /\[plot\] Live plot at (\S+)/.exec(daemon.stderr)?.[1] ?? '';
    const now = Date.now();
    const records = Array.from({ length: 200 }, (_, i) => ({
      id: 'T',
      value: Math.round(Math.sin(i / 15) * 1000) / 100,
      timestamp: new Date(now - (199 - i) * 15_000).toISOString(),
    }));
    await send(feedPort, records.slice(0, 100), records.slice(100));
    await waitUntil(
      async () => {
        const response = await fetch(`${url}history?range=run`);
        return ((await response.json()) as { scanned: number }).scanned === 200;
      },
      'the store to hold every record',
      { detail: () => daemon.stderr },
    );
    await page.goto(url);
    await inPage(page, 'window.datalogdLivePlot.stats.syncs > 0', 'the backlog to arrive');
    assert.equal(await page.isVisible('#history-hour'), true, 'the history buttons are shown');
    assert.equal(await page.isVisible('#history-clear'), false);
    await inPage(page, 'window.datalogdLivePlot.stats.draws > 0', 'a first draw');
    assert.equal(await drawnPoints(page), 50, 'live: npoints');

    await page.click('#history-hour');
    await inPage(page, 'window.datalogdLivePlot.stats.histories === 1', 'the history to load');
    let drawn = 0;
    await waitUntil(
      async () => {
        drawn = await drawnPoints(page);
        return drawn === 200;
      },
      'history and live drawn',
      { detail: () => `drawn ${drawn}` },
    );
    const [[xs = [], ys = []] = []] = await chartData(page);
    assert.deepEqual(
      xs,
      records.map((r) => Date.parse(r.timestamp)),
    );
    assert.deepEqual(
      ys,
      records.map((r) => r.value),
    );
    assert.match(await statusText(page), /history of the last hour.*150 points/);
    const shot = await page.screenshot({ path: join(sandbox.dir, 'live-plot-history.png') });
    assert.ok(shot.length > 5000, 'a screenshot was taken');
    if (process.env.DATALOGD_KEEP_SCREENSHOTS !== undefined) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(process.env.DATALOGD_KEEP_SCREENSHOTS, shot);
    }

    await page.click('#history-clear');
    await waitUntil(async () => (await drawnPoints(page)) === 50, 'only live points drawn');
    assert.equal(await page.isVisible('#history-clear'), false);

    // A bookmark with ?history=run loads this run's history as the page opens.
    await page.goto(`${url}?history=run`);
    await inPage(page, 'window.datalogdLivePlot.stats.histories === 1', 'history on opening');
    await waitUntil(async () => (await drawnPoints(page)) === 200, 'the whole run drawn');
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
    await daemon.stop();
  }
});
