/**
 * PyqtgraphDataSink, with Python datalogd's options, and LivePlotDataSink, which adds
 * where the page is served and how much time it shows. Both draw in a browser: the
 * start-up log prints the page's URL where Python opened a Qt window.
 */
import { resolveSecret } from '../../options.js';
import {
  livePlotSchema,
  pyqtgraphSchema,
  type LivePlotOptions,
  type PyqtgraphOptions,
} from './options.js';
import { LivePlotSink, type LivePlotConfig } from './sink.js';

function common(
  options: PyqtgraphOptions,
): Omit<LivePlotConfig, 'window' | 'host' | 'port' | 'token' | 'history'> {
  return {
    npoints: options.npoints,
    layout: options.plotlayout,
    xlink: options.xlink,
    crosshair: options.crosshair,
    title: options.title,
    size: options.size,
    qtOnly: (['show', 'border'] as const).filter((name) => options[name] !== undefined),
  };
}

export class LivePlotDataSink extends LivePlotSink {
  static readonly description =
    'A live plot in the browser, served by the daemon: panels of traces chosen by key/value selectors, with host, port, a time window and an access token.';
  static readonly optionsSchema = livePlotSchema;

  constructor(options: LivePlotOptions = livePlotSchema.parse({})) {
    const token = resolveSecret(options.token, options.token_env);
    super({
      ...common(options),
      window: options.window,
      history: options.history,
      host: options.host,
      port: options.port,
      // The schema refused a missing variable, so the text case does not arise here.
      token: typeof token === 'string' || token.isEmpty ? undefined : token.reveal(),
    });
  }
}

export class PyqtgraphDataSink extends LivePlotSink {
  static readonly description =
    "Python datalogd's pyqtgraph live plot, drawn in the browser instead of a Qt window: same options (npoints, plotlayout, xlink, crosshair, title, size); the log prints the page's URL.";
  static readonly optionsSchema = pyqtgraphSchema;

  constructor(options: PyqtgraphOptions = pyqtgraphSchema.parse({})) {
    super({
      ...common(options),
      window: null,
      history: null,
      host: null,
      port: null,
      token: undefined,
    });
  }
}
