/**
 * Draws a plot with Vega (Vega-Lite compiled to Vega, rendered to SVG with no browser and
 * no canvas), then turns the SVG into PNG with resvg or into a one-page PDF with PDFKit.
 * These libraries are heavy: only the render worker imports this module.
 */
import { Resvg } from '@resvg/resvg-js';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { FONT_FAMILY, FONT_FILES, isBold } from './fonts.js';
import type { RenderRequest } from './protocol.js';
import type { PlotData } from './series.js';
import { buildSpec, type FigureSize } from './spec.js';

/** PNG files are drawn at twice the figure's CSS size, for sharp text on any screen. */
export const PNG_SCALE = 2;
/** PDF pages measure the figure in points: one CSS pixel is 0.75 pt (96 px per inch). */
export const PDF_POINTS_PER_PIXEL = 0.75;

const BOLD_FONT = `${FONT_FAMILY} Bold`;
/** Vega-Lite's notes about the specification (it is ours) would go to the console. */
const QUIET = vega.logger(vega.None);

export async function drawPlot(request: RenderRequest): Promise<Uint8Array> {
  const svg = await drawSvg(request.plot, request);
  switch (request.format) {
    case 'svg':
      return Buffer.from(svg, 'utf8');
    case 'png':
      return svgToPng(svg);
    case 'pdf':
      return svgToPdf(svg, request);
  }
}

export async function drawSvg(plot: PlotData, size: FigureSize): Promise<string> {
  measureTextWithTheFont();
  const compiled = compile(buildSpec(plot, size), { logger: QUIET }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    logger: QUIET,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function svgToPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    font: {
      loadSystemFonts: false,
      fontFiles: [FONT_FILES.regular, FONT_FILES.bold],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

function svgToPdf(svg: string, size: FigureSize): Promise<Uint8Array> {
  const width = size.width * PDF_POINTS_PER_PIXEL;
  const height = size.height * PDF_POINTS_PER_PIXEL;
  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    info: { Title: 'datalogd plot', Producer: 'datalogd' },
  });
  doc.registerFont(FONT_FAMILY, FONT_FILES.regular);
  doc.registerFont(BOLD_FONT, FONT_FILES.bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  SVGtoPDF(doc, svg, 0, 0, {
    width,
    height,
    fontCallback: (_family: string, bold: boolean) => (bold ? BOLD_FONT : FONT_FAMILY),
  });
  doc.end();
  return done;
}

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: unknown;
  readonly limit?: number;
}

interface VegaTextMetrics {
  width: (item: TextItem, text: unknown) => number;
}

let measuring = false;

/**
 * Vega without a canvas guesses text widths (0.8 em a character), which leaves legends and
 * axis titles too wide or clipped. The widths measured in the font that draws the text give
 * the layout the sizes the PNG and PDF will show.
 */
function measureTextWithTheFont(): void {
  if (measuring) return;
  measuring = true;
  const metrics = (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics;
  const doc = new PDFDocument({ autoFirstPage: false });
  doc.registerFont(FONT_FAMILY, FONT_FILES.regular);
  doc.registerFont(BOLD_FONT, FONT_FILES.bold);
  const cache = new Map<string, number>();
  metrics.width = (item, text) => {
    // Vega measures one line at a time: text, or a number it will print.
    const line = (
      typeof text === 'string' ? text : typeof text === 'number' ? String(text) : ''
    ).trim();
    if (line === '') return 0;
    const size = item.fontSize ?? 11;
    const face = isBold(item.fontWeight) ? BOLD_FONT : FONT_FAMILY;
    const key = `${face}\u0000${size}\u0000${line}`;
    let width = cache.get(key);
    if (width === undefined) {
      width = doc.font(face).fontSize(size).widthOfString(line);
      if (cache.size >= 10_000) cache.clear();
      cache.set(key, width);
    }
    // Vega truncates to `limit` with an ellipsis; what it draws is no wider than that.
    const limit = item.limit ?? 0;
    return limit > 0 ? Math.min(width, limit) : width;
  };
}
