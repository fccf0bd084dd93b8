import { extname } from 'node:path';
import { path, seconds, z } from '../../options.js';

/** The file formats drawn, each chosen by the file name's extension. */
export const PLOT_FORMATS = ['svg', 'png', 'pdf'] as const;
export type PlotFormat = (typeof PLOT_FORMATS)[number];

/** The format a file name asks for, or undefined for an extension not drawn. */
export function formatOf(filename: string): PlotFormat | undefined {
  const ext = extname(filename).slice(1).toLowerCase();
  return (PLOT_FORMATS as readonly string[]).includes(ext) ? (ext as PlotFormat) : undefined;
}

/** Python code writes `keys=value` as readily as `keys="['value']"`. */
const stringList = z.union([z.string(), z.array(z.string())]);

function asList(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

export const plotFileSchema = z.object({
  filename: path()
    .refine((name) => formatOf(name) !== undefined, {
      message: `must end in ${PLOT_FORMATS.map((f) => `.${f}`).join(', ')}: the file's extension chooses its format`,
    })
    .default('plot.pdf')
    .describe(
      'The plot file, replaced whole at each redraw; its extension (.svg, .png or .pdf) chooses the format.',
    ),
  keys: stringList
    .default(['timestamp', 'value'])
    .transform(asList)
    .refine((keys) => keys.length >= 2 && keys.length % 2 === 0, {
      message:
        'must name x and y keys in pairs (x, y, x, y, ...): columns are plotted pairwise, x = column 2i, y = column 2i+1',
    })
    .describe(
      'Record fields that become columns, plotted in pairs: x = column 2i, y = column 2i+1.',
    ),
  labels: stringList
    .nullable()
    .default(['timestamp', '{type}_{id}'])
    .transform((v) => (v === null ? [] : asList(v)))
    .describe(
      "Column label for each key, {field} filled from the record; a y column's label names its line in the legend.",
    ),
  min_interval: seconds(1, { min: 0 }).describe(
    'Least time between two redraws of the file, in seconds; the latest data is always drawn in the end (0: redraw as fast as drawing goes).',
  ),
  width: z
    .number()
    .int()
    .min(200)
    .max(8000)
    .default(800)
    .describe(
      'Width of the figure in CSS pixels (PNG files have twice as many; PDF: 0.75 pt each).',
    ),
  height: z
    .number()
    .int()
    .min(150)
    .max(8000)
    .default(500)
    .describe('Height of the figure in CSS pixels.'),
});

export type PlotFileOptions = z.output<typeof plotFileSchema>;
