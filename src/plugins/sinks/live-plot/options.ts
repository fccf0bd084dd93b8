import {
  envName,
  flag,
  path,
  port,
  resolveSecret,
  secret,
  seconds,
  textOrNull,
  z,
} from '../../options.js';
import { readLayout, type Layout } from './layout.js';
import { parsePythonLiteral } from './python-literal.js';

/** A trace holds at most this many points: 16 bytes each in the daemon, and a page's worth. */
export const MAX_NPOINTS = 1_000_000;

const layout = z
  .unknown()
  .optional()
  .transform((value, ctx): Layout => {
    const result = readLayout(value ?? null);
    if ('layout' in result) return result.layout;
    for (const problem of result.issues) {
      ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    }
    return z.NEVER;
  })
  .describe(
    'The panels, stacked: [{"ylabel": ..., "traces": [{"name": ..., "pen": ..., "selector": [[key, value], ...]}]}]. Pens as pyqtgraph writes them (\'r\', (255, 0, 0), \'#ff0000\', {"color": ..., "width": ...}). Default: one panel, one trace of every record with a value.',
  );

const pixels = z.number().int().min(100).max(10_000);
const size = z
  .preprocess(
    (v) => (typeof v === 'string' ? tryLiteral(v) : v),
    z.tuple([pixels, pixels]).nullable(),
  )
  .default(null)
  .describe('[width, height] of the plot area in pixels; default: the browser window.');

/** PyqtgraphDataSink's options, as Python datalogd takes them. */
export const pyqtgraphShape = {
  npoints: z
    .number()
    .int()
    .min(1)
    .max(MAX_NPOINTS)
    .default(2048)
    .describe(
      `Points held per trace, newest kept (the daemon and the page hold the same); at most ${MAX_NPOINTS}.`,
    ),
  plotlayout: layout,
  xlink: flag(true).describe('Link the time axes of the panels: zooming one zooms all.'),
  crosshair: flag(true).describe(
    'Show a crosshair under the pointer, with the values at it in the legend.',
  ),
  title: textOrNull().describe('Title of the page (default: the node name).'),
  size,
  show: z.unknown().optional().describe('Qt only; accepted and ignored.'),
  border: z.unknown().optional().describe('Qt only; accepted and ignored.'),
};

export const pyqtgraphSchema = z.object(pyqtgraphShape);

/** LivePlotDataSink: the same, plus where it is served and how much time it shows. */
export const livePlotSchema = z
  .object({
    ...pyqtgraphShape,
    host: textOrNull().describe(
      "Address to serve the page on; default the daemon's web address (127.0.0.1). Anything but loopback logs a warning: set a token.",
    ),
    port: port(0)
      .nullable()
      .default(null)
      .describe("Port of the web server; 0 means any free port; default the daemon's (45480)."),
    window: seconds(60, { min: 0, inclusive: false })
      .nullable()
      .default(null)
      .describe(
        'Seconds of data shown and held (besides npoints); null keeps npoints points whatever their age.',
      ),
    history: z
      .union([z.literal(false), path()])
      .nullable()
      .default(null)
      .describe(
        "SQLite store (written by SQLiteDataSink) the page's history buttons read; null: the graph's SQLiteDataSink when it has exactly one; false: no history.",
      ),
    token: secret('').describe('Access token the page asks for (prefer token_env).'),
    token_env: envName().describe('Environment variable holding the access token.'),
  })
  .superRefine((options, ctx) => {
    const resolved = resolveSecret(options.token, options.token_env);
    if (typeof resolved === 'string')
      ctx.addIssue({ code: 'custom', path: ['token_env'], message: resolved });
  });

export type PyqtgraphOptions = z.output<typeof pyqtgraphSchema>;
export type LivePlotOptions = z.output<typeof livePlotSchema>;

/** `(1000, 600)` as Python writes a size; text that is no literal stays text (and fails). */
function tryLiteral(text: string): unknown {
  try {
    return parsePythonLiteral(text);
  } catch {
    return text;
  }
}
