import assert from 'node:assert/strict';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DaemonProcess,
  makeSandbox,
  REPO_ROOT,
  runDaemon,
  type Sandbox,
} from '../helpers/daemon.js';
import { Peer, pyPeer, serverPort } from '../helpers/peers.js';
import { readPdf, readPng, readSvgPlot } from '../helpers/plot-files.js';
import { waitUntil } from '../helpers/wait.js';

let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;
before(async () => {
  sandbox = await makeSandbox();
  // The axis title names the local date; UTC makes it the date of the ISO timestamps.
  env = { ...sandbox.env, TZ: 'UTC' };
});
after(async () => {
  await sandbox.cleanup();
});

const POLLER = join(REPO_ROOT, 'test', 'helpers', 'plot_file_poller.py');

interface PollReport {
  reads: number;
  partial: number;
  partial_sizes: number[];
  vanished: number;
  replacements: number[];
}

/** An independent reader (Python) that reads `file` whole, again and again, for `seconds`. */
function poll(file: string, seconds: number): { peer: Peer; report: () => Promise<PollReport> } {
  const peer = new Peer('python3', [POLLER, file, String(seconds)]);
  return {
    peer,
    report: async () => {
      assert.equal(await peer.finished((seconds + 10) * 1000), 0, peer.stderr);
      return JSON.parse(peer.lines[0] ?? '{}') as PollReport;
    },
  };
}

/** The counters of node `node` from the daemon's closing stats line. */
function closingStats(daemon: DaemonProcess, node: string): Record<string, number> {
  const line = daemon.stderrLines.findLast((l) => l.includes(`[datalogd] ${node}: `)) ?? '';
  return Object.fromEntries(
    [...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A random walk, timestamped, aggregated (every tick sends its lists), plotted to `file`. */
function walkGraph(file: string, plotOptions = '', walkOptions = 'interval=0.1'): string {
  return `digraph {
    walk [class=RandomWalkDataSource, ${walkOptions}, seed=3, walkers="[[20, 0.5], [50, 1.0]]"];
    stamp [class=TimeStampDataFilter];
    collect [class=AggregatorDataFilter, buffer_size=1000, send_every=1];
    plot [class=MatplotlibDataSink, filename="${file}"${plotOptions}];
    print [class=PrintDataSink];
    walk -> stamp -> collect -> plot;
    stamp -> print;
  }`;
}

interface Reading {
  type: string;
  id: string;
  value: number;
  timestamp: string;
}

describe('MatplotlibDataSink with the real daemon', () => {
  test('SVG: a line per walker with every reading, the legend, and the time axis labelled with the date', async () => {
    const file = join(sandbox.dir, 'walk.svg');
    const daemon = new DaemonProcess(['-g', walkGraph(file, ', min_interval=0.5')], env);
    await daemon.waitForStdoutLines(12);
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);

    // Sources close before sinks, so the file drawn on close holds every printed reading.
    const ticks = daemon.stdoutLines.map((line) => JSON.parse(line) as Reading[]);
    const svg = readSvgPlot(await readFile(file, 'utf8'));
    assert.deepEqual(
      svg.legend.map((e) => e.label),
      ['analog_randomwalk0', 'analog_randomwalk1'],
    );
    assert.deepEqual(
      svg.lines.map((l) => l.points),
      [ticks.length, ticks.length],
    );
    assert.deepEqual(
      svg.legend.map((e) => e.stroke),
      svg.lines.map((l) => l.stroke),
    );
    const day = ticks[0]?.[0]?.timestamp.slice(0, 10) ?? '';
    assert.equal(svg.xTitle, `timestamp (${day}, local time, UTC+00:00)`);
    assert.ok(svg.xTickLabels.length >= 2, svg.xTickLabels.join(' '));
    for (const label of svg.xTickLabels) assert.match(label, /^\d\d:\d\d:\d\d(\.\d{3})?$/);
    const values = ticks.flatMap((tick) => tick.map((r) => r.value));
    const yTicks = svg.yTickLabels.map((l) => Number(l.replace('−', '-')));
    assert.ok(
      Math.min(...yTicks) <= Math.min(...values) + 5 &&
        Math.max(...yTicks) >= Math.max(...values) - 5,
      `y axis ${yTicks.join(' ')} spans the readings ${Math.min(...values)}..${Math.max(...values)}`,
    );
    const stats = closingStats(daemon, 'plot');
    assert.ok((stats.files_written ?? 0) >= 1, JSON.stringify(stats));
    assert.equal(stats.render_errors, undefined, 'no render errors (zero counters are not logged)');
  });

  test('PNG: decodes to twice the figure size, not blank, with both lines’ colours', async () => {
    const file = join(sandbox.dir, 'walk.png');
    const daemon = new DaemonProcess(['-g', walkGraph(file, ', width=640, height=400')], env);
    await waitUntil(() => exists(file), 'the PNG file', { detail: () => daemon.stderr });
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
    const png = readPng(await readFile(file));
    assert.equal(png.width, 1280);
    assert.equal(png.height, 800);
    assert.ok(png.variance > 100, `luminance variance ${png.variance}`);
    assert.ok(png.hasColour([0x4c, 0x78, 0xa8]), 'the first line’s blue');
    assert.ok(png.hasColour([0xf5, 0x85, 0x18]), 'the second line’s orange');
  });

  test('PDF: opens with one page of the figure’s size', async () => {
    const file = join(sandbox.dir, 'walk.pdf');
    const daemon = new DaemonProcess(['-g', walkGraph(file)], env);
    await waitUntil(() => exists(file), 'the PDF file', { detail: () => daemon.stderr });
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
    const pdf = readPdf(await readFile(file), file);
    assert.equal(pdf.pages, 1);
    assert.deepEqual(pdf.mediaBox, [0, 0, 600, 375]);
    if (pdf.pdfinfo !== undefined) {
      assert.equal(pdf.pdfinfo.Pages, '1');
      assert.match(pdf.pdfinfo['Page size'] ?? '', /^600 x 375 pts/);
    }
  });

  test('a reader polling the file while it is redrawn never sees a partial file', async () => {
    const file = join(sandbox.dir, 'busy.png');
    const daemon = new DaemonProcess(
      ['-g', walkGraph(file, ', min_interval=0', 'interval=0.02')],
      env,
    );
    await waitUntil(() => exists(file), 'the first plot', { detail: () => daemon.stderr });
    const reader = poll(file, 4);
    const report = await reader.report();
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
    assert.ok(report.replacements.length >= 5, `replaced ${report.replacements.length} times`);
    assert.ok(report.reads >= 100, `${report.reads} reads`);
    assert.equal(report.partial, 0, `partial reads of ${report.partial_sizes.join(', ')} bytes`);
    assert.equal(report.vanished, 0, 'the file never disappears between versions');
    const leftovers = (await import('node:fs/promises')).readdir(sandbox.dir);
    assert.deepEqual(
      (await leftovers).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
  });

  test('min_interval: 50 receipts a second, redrawn about once a second, the latest drawn on close', async () => {
    const file = join(sandbox.dir, 'paced.svg');
    const daemon = new DaemonProcess(
      ['-g', walkGraph(file, ', min_interval=1', 'interval=0.02')],
      env,
    );
    await waitUntil(() => exists(file), 'the first plot', { detail: () => daemon.stderr });
    const reader = poll(file, 3.5);
    const report = await reader.report();
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
    const stats = closingStats(daemon, 'plot');
    const received = stats.receipts_received ?? 0;
    const renders = stats.renders ?? 0;
    assert.ok(received >= 100, `${received} receipts`);
    // About 4.5 s of running at one draw a second, plus the draw on close.
    assert.ok(renders >= 3 && renders <= 8, `${renders} renders for ${received} receipts`);
    assert.equal(
      received - renders,
      stats.receipts_superseded,
      'every receipt not drawn was replaced by a newer one',
    );
    // The first inode is the file that was there when polling began, seen at once; the
    // times of the later ones are when they were renamed into place. Draws start 1 s apart;
    // how long each takes varies with the machine's load, so single gaps vary, the mean not.
    const renamed = report.replacements.slice(1);
    const detail = `renamed at ${renamed.join(', ')} s of 3.5 s`;
    assert.ok(renamed.length >= 2 && renamed.length <= 5, detail);
    const meanGap = ((renamed.at(-1) ?? 0) - (renamed[0] ?? 0)) / (renamed.length - 1);
    assert.ok(meanGap >= 0.8, `${detail}: ${meanGap.toFixed(3)} s apart on average`);
    const ticks = daemon.stdoutLines.length;
    const svg = readSvgPlot(await readFile(file, 'utf8'));
    assert.equal(svg.lines[0]?.points, ticks, 'the file drawn on close has every reading');
  });

  test('bad records over a socket are counted skips; the daemon runs on and the file shows what can be drawn', async () => {
    const file = join(sandbox.dir, 'mixed.svg');
    const graph = `digraph {
      net [class=SocketDataFilter, port=0];
      plot [class=MatplotlibDataSink, filename="${file}", min_interval=0];
      net -> plot;
    }`;
    const daemon = new DaemonProcess(['-g', graph], env);
    const port = await serverPort(daemon, 'net');
    const messages = [
      // no timestamp; text; empty lists; a good record with two bad values
      [{ type: 'temp', id: 'a', value: [1, 2] }],
      'just text',
      [{ type: 'temp', id: 'b', timestamp: [], value: [] }],
      [
        {
          type: 'temp',
          id: 'c',
          timestamp: [
            '2024-05-09T10:00:00Z',
            '2024-05-09T10:00:01Z',
            '2024-05-09T10:00:02Z',
            'later',
          ],
          value: [20.5, 'n/a', 21.5, 22],
        },
      ],
    ];
    const sender = pyPeer([
      'send',
      '--port',
      String(port),
      ...messages.map((m) => JSON.stringify(m)),
    ]);
    assert.equal(await sender.finished(), 0, sender.stderr);
    await daemon.waitForStderr(/DATALOGD_ERR_PLOT_FILE_VALUE_SKIPPED/);
    await waitUntil(() => exists(file), 'the plot of the good record');
    assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);

    const svg = readSvgPlot(await readFile(file, 'utf8'));
    assert.deepEqual(
      svg.legend.map((e) => e.label),
      ['temp_c'],
    );
    assert.deepEqual(
      svg.lines.map((l) => l.points),
      [2],
    );
    assert.equal(svg.xTitle, 'timestamp (2024-05-09, local time, UTC+00:00)');
    const stats = closingStats(daemon, 'plot');
    assert.equal(stats.records_unplotted, 3, 'no timestamp, text, empty lists');
    assert.equal(stats.values_unplotted, 2, "'n/a' and the x 'later'");
    assert.equal(stats.receipts_unplotted, 3);
    assert.equal(stats.files_written, 1);
    assert.match(daemon.stderr, /WARNING \[plot\] \[DATALOGD_ERR_PLOT_FILE_RECORD_SKIPPED\]/);
  });

  test('a removed directory is logged with the path and counted; the plot comes back with the directory', async () => {
    const dir = join(sandbox.dir, 'shared-folder');
    await mkdir(dir);
    const file = join(dir, 'plot.svg');
    const daemon = new DaemonProcess(['-g', walkGraph(file, ', min_interval=0.2')], env);
    await waitUntil(() => exists(file), 'the first plot', { detail: () => daemon.stderr });
    // Moved away in one step, then deleted: deleting in place races the daemon's next
    // temporary file (rmdir would find the directory not empty).
    await rename(dir, `${dir}-gone`);
    await rm(`${dir}-gone`, { recursive: true });
    await daemon.waitForStderr(
      /\[DATALOGD_ERR_FILE_WRITE\] cannot write \S*shared-folder\/plot\.svg: ENOENT/,
    );
    await mkdir(dir);
    await waitUntil(() => exists(file), 'the plot, back', {
      timeoutMs: 15_000,
      detail: () => daemon.stderr,
    });
    assert.equal(daemon.child.exitCode, null, 'the daemon kept running');
    assert.equal(await daemon.stop('SIGINT'), 0, daemon.stderr);
    const stats = closingStats(daemon, 'plot');
    assert.ok((stats.write_errors ?? 0) >= 1, JSON.stringify(stats));
    readSvgPlot(await readFile(file, 'utf8'));
  });

  test('an unknown extension and unpaired keys are configuration errors: the daemon does not start', async () => {
    const graph = `digraph {
      walk [class=RandomWalkDataSource];
      plot [class=MatplotlibDataSink, filename="plot.jpg", keys="['timestamp', 'value', 'units']"];
      walk -> plot;
    }`;
    const { code, stderr } = await runDaemon(['-g', graph], env);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /DATALOGD_ERR_OPTION_TYPE.*node "plot": option "filename" of MatplotlibDataSink must end in \.svg, \.png, \.pdf.*\(given "plot\.jpg"\)/,
    );
    assert.match(stderr, /DATALOGD_ERR_OPTION_TYPE.*node "plot": option "keys" .*in pairs/);
    assert.doesNotMatch(stderr, /Starting event loop/);
  });
});
