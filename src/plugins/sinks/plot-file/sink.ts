import { resolve } from 'node:path';
import { DatalogdError, errorMessage } from '../../../core/errors.js';
import { DataSink, type Data } from '../../../core/node.js';
import { replaceFile } from './atomic-write.js';
import { formatOf, plotFileSchema, type PlotFileOptions, type PlotFormat } from './options.js';
import { WorkerRenderer, type PlotRenderer } from './renderer.js';
import { RedrawScheduler } from './scheduler.js';
import {
  buildPlot,
  MAX_LINES,
  MAX_POINTS_PER_LINE,
  type PlotBuild,
  type PlotData,
} from './series.js';

/** What a test may swap: the renderer (the default draws in a worker thread). */
export interface PlotFileParts {
  readonly renderer?: PlotRenderer;
}

/**
 * Python datalogd's MatplotlibDataSink, drawn with Vega: columns built as the CSV filter
 * builds them, plotted in pairs, written to an SVG, PNG or PDF file that is replaced whole,
 * at most once per `min_interval`, by a worker thread that never holds up the records.
 */
export class MatplotlibDataSink extends DataSink {
  static readonly description =
    'Plots records to an SVG, PNG or PDF file (chosen by the extension), as Python datalogd does after an AggregatorDataFilter: columns built like CSVDataFilter, x = column 2i against y = column 2i+1, one line per pair named by its y label, dates on the axis. Unlike Python, the file is redrawn at most every `min_interval` seconds, off the receive path, and replaced atomically (temporary file, then rename); records that cannot be drawn are counted, never a crash.';
  static readonly optionsSchema = plotFileSchema;
  static override readonly durable = true;

  readonly #options: PlotFileOptions;
  readonly #format: PlotFormat;
  readonly #path: string;
  readonly #renderer: PlotRenderer;
  readonly #scheduler: RedrawScheduler<PlotData>;
  readonly #count = this.counters(
    'receipts_received',
    'receipts_unplotted',
    'receipts_superseded',
    'renders',
    'files_written',
  );

  constructor(options: PlotFileOptions = plotFileSchema.parse({}), parts: PlotFileParts = {}) {
    super();
    this.#options = options;
    // The schema refuses other extensions, so this holds for every configured node.
    this.#format = formatOf(options.filename) ?? 'pdf';
    this.#path = resolve(options.filename);
    this.#renderer = parts.renderer ?? new WorkerRenderer();
    this.#scheduler = new RedrawScheduler((plot) => this.#draw(plot), {
      minIntervalMs: options.min_interval * 1000,
    });
    this.declareEvents(
      'DATALOGD_ERR_PLOT_FILE_RECORD_SKIPPED',
      'DATALOGD_ERR_PLOT_FILE_VALUE_SKIPPED',
      'DATALOGD_ERR_PLOT_FILE_RENDER',
      'DATALOGD_ERR_FILE_WRITE',
    );
  }

  /** The file drawn, as an absolute path. */
  get path(): string {
    return this.#path;
  }

  override async start(): Promise<void> {
    try {
      await this.#renderer.ready();
    } catch (err) {
      throw new DatalogdError(
        'DATALOGD_ERR_NODE_START',
        `node "${this.nodeName}": cannot load the plotting libraries: ${errorMessage(err)}`,
        { node: this.nodeName, cause: err },
      );
    }
  }

  override receive(data: Data): undefined {
    this.#count.receipts_received += 1;
    // A receipt of None is nothing, as Python's sinks treat it, not an item to skip.
    if (data === null || data === undefined) {
      this.#count.receipts_unplotted += 1;
      return undefined;
    }
    const build = buildPlot(data, this.#options.keys, this.#options.labels);
    this.#reportSkips(build);
    const outcome = build.plot === undefined ? 'refused' : this.#scheduler.offer(build.plot);
    if (outcome === 'refused') this.#count.receipts_unplotted += 1;
    else if (outcome === 'replaced') this.#count.receipts_superseded += 1;
    return undefined;
  }

  /** Draws what is pending now and resolves when its file is written (or has failed). */
  flush(): Promise<void> {
    return this.#scheduler.flush();
  }

  protected override gauges(): Record<string, number> {
    return { plots_pending: this.#scheduler.hasPending ? 1 : 0 };
  }

  protected override async onClose(): Promise<void> {
    await this.#scheduler.close();
    await this.#renderer.close();
  }

  async #draw(plot: PlotData): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#renderer.render({
        plot,
        format: this.#format,
        width: this.#options.width,
        height: this.#options.height,
      });
    } catch (err) {
      this.report(
        'DATALOGD_ERR_PLOT_FILE_RENDER',
        `cannot draw ${this.#path}: ${errorMessage(err)}; the file keeps its last plot and drawing is tried again`,
      );
      return false;
    }
    this.#count.renders += 1;
    try {
      await replaceFile(this.#path, bytes);
    } catch (err) {
      this.report(
        'DATALOGD_ERR_FILE_WRITE',
        `cannot write ${this.#path}: ${errorMessage(err)}; the plot is drawn again later`,
      );
      return false;
    }
    this.#count.files_written += 1;
    return true;
  }

  #reportSkips(build: PlotBuild): void {
    for (const [why, count] of build.skippedRecords) {
      this.report(
        'DATALOGD_ERR_PLOT_FILE_RECORD_SKIPPED',
        `${RECORD_SKIP_TEXT[why]} (${this.#path})`,
        {
          count,
          key: why,
        },
      );
    }
    for (const [why, count] of build.skippedValues) {
      this.report(
        'DATALOGD_ERR_PLOT_FILE_VALUE_SKIPPED',
        `${VALUE_SKIP_TEXT[why]} (${this.#path})`,
        {
          count,
          key: why,
        },
      );
    }
  }
}

const RECORD_SKIP_TEXT = {
  'not-a-record': 'an item that is not a record was not plotted',
  'missing-key': 'a record without every one of `keys` was not plotted',
  'no-points': 'a record with no point that can be drawn was not plotted',
  'too-many-lines': `a record beyond the ${MAX_LINES} lines a plot holds was not plotted`,
} as const;

const VALUE_SKIP_TEXT = {
  'y-not-a-number': 'points whose y value is not a finite number were left out',
  'x-unreadable':
    'points whose x is neither a time (Date or ISO 8601 text) nor a number were left out',
  'x-other-kind': 'points whose x is not of the axis kind (times and numbers mixed) were left out',
  unpaired: 'values without a partner (x and y lists of different lengths) were left out',
  cap: `the oldest points beyond the ${MAX_POINTS_PER_LINE} a line holds were left out`,
} as const;
