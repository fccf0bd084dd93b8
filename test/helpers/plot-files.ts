/**
 * Reading plot files back the way a viewer would: the SVG parsed as XML (its lines, their
 * point counts, legend and axis text), the PNG decoded to pixels, the PDF's page tree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { PNG } from 'pngjs';

export interface SvgLine {
  readonly stroke: string;
  /** Points on the line: the path's M and L commands. */
  readonly points: number;
}

export interface SvgPlot {
  readonly width: number;
  readonly height: number;
  readonly lines: readonly SvgLine[];
  /** Legend entries, top to bottom, with the stroke colour of their symbol. */
  readonly legend: readonly { readonly label: string; readonly stroke: string }[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xTickLabels: readonly string[];
  readonly yTickLabels: readonly string[];
}

function byClass(root: Element, cls: string): Element[] {
  return Array.from(root.getElementsByTagName('g')).filter((g) =>
    (g.getAttribute('class') ?? '').split(/\s+/).includes(cls),
  );
}

function texts(group: Element | undefined): string[] {
  if (group === undefined) return [];
  return Array.from(group.getElementsByTagName('text')).map((t) => t.textContent ?? '');
}

/** Parses Vega's SVG strictly (any XML error fails) and reads the chart's parts. */
export function readSvgPlot(text: string): SvgPlot {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(text, 'image/svg+xml');
  assert.deepEqual(errors, [], 'the SVG is well-formed XML');
  const svg = doc.documentElement;
  assert.ok(svg !== null && svg.tagName === 'svg', 'the root element is <svg>');

  const lines = byClass(svg, 'mark-line').flatMap((group) =>
    Array.from(group.getElementsByTagName('path')).map((path) => ({
      stroke: path.getAttribute('stroke') ?? '',
      points: ((path.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length,
    })),
  );
  // Each entry is a symbol group and a label group, in legend order.
  const labels = byClass(svg, 'role-legend-label').flatMap((g) => texts(g));
  const symbols = byClass(svg, 'role-legend-symbol').flatMap((g) =>
    Array.from(g.getElementsByTagName('path')),
  );
  assert.equal(symbols.length, labels.length, 'a symbol for every legend label');
  const legend = labels.map((label, i) => ({
    label,
    stroke: symbols[i]?.getAttribute('stroke') ?? '',
  }));
  const axes = byClass(svg, 'role-axis').filter(
    (g) => g.getAttribute('aria-roledescription') === 'axis',
  );
  const axis = (name: 'X' | 'Y'): Element | undefined =>
    axes.find((g) => (g.getAttribute('aria-label') ?? '').startsWith(`${name}-axis`));
  const part = (name: 'X' | 'Y', role: string): string[] => {
    const group = axis(name);
    return group === undefined ? [] : texts(byClass(group, role)[0]);
  };
  return {
    width: Number(svg.getAttribute('width')),
    height: Number(svg.getAttribute('height')),
    lines,
    legend,
    xTitle: part('X', 'role-axis-title').join(' '),
    yTitle: part('Y', 'role-axis-title').join(' '),
    xTickLabels: part('X', 'role-axis-label'),
    yTickLabels: part('Y', 'role-axis-label'),
  };
}

export interface PngSummary {
  readonly width: number;
  readonly height: number;
  /** Variance of the pixels' luminance (0 for a blank image). */
  readonly variance: number;
  /** How many distinct colours the image has (a chart has its lines, text and grid). */
  readonly colours: number;
  /** Whether a pixel near `rgb` (within 40 per channel) occurs. */
  hasColour(rgb: readonly [number, number, number]): boolean;
}

/** Decodes a PNG with pngjs (which checks its CRCs) and measures whether anything is drawn. */
export function readPng(bytes: Buffer): PngSummary {
  const png = PNG.sync.read(bytes);
  const { width, height, data } = png;
  let sum = 0;
  let sumSquares = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] as number;
    const g = data[i + 1] as number;
    const b = data[i + 2] as number;
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sumSquares += y * y;
    if (colours.size < 100_000) colours.add((r << 16) | (g << 8) | b);
  }
  const n = width * height;
  const mean = sum / n;
  return {
    width,
    height,
    variance: sumSquares / n - mean * mean,
    colours: colours.size,
    hasColour: ([r, g, b]) => {
      for (const c of colours) {
        if (
          Math.abs(((c >> 16) & 255) - r) <= 40 &&
          Math.abs(((c >> 8) & 255) - g) <= 40 &&
          Math.abs((c & 255) - b) <= 40
        ) {
          return true;
        }
      }
      return false;
    },
  };
}

export interface PdfSummary {
  readonly version: string;
  readonly pages: number;
  /** The page's MediaBox, [x0, y0, x1, y1] in points. */
  readonly mediaBox: readonly number[];
  /** What poppler's pdfinfo says when it is installed (it then opened the file). */
  readonly pdfinfo: Record<string, string> | undefined;
}

/**
 * Reads a PDF's structure without a PDF library: the header, the trailer, the page tree
 * (the /Pages count and the /Page objects, which must agree) and the MediaBox. When
 * poppler-utils is installed, `pdfinfo` opens the file as well.
 */
export function readPdf(bytes: Buffer, file?: string): PdfSummary {
  const text = bytes.toString('latin1');
  const header = /^%PDF-(\d\.\d)/.exec(text);
  assert.ok(header !== null, 'starts with %PDF-');
  assert.match(text.slice(-32), /%%EOF\s*$/, 'ends with %%EOF');
  assert.match(text, /\bstartxref\s+\d+/, 'has a cross-reference offset');
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[\s\S]*?\/Count\s+(\d+)/g)].map((m) =>
    Number(m[1]),
  );
  const pageObjects = (text.match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
  assert.equal(counts.length, 1, 'one page tree root');
  assert.equal(counts[0], pageObjects, 'the page tree counts the page objects there are');
  const box = /\/MediaBox\s*\[\s*([-\d.\s]+)\]/.exec(text);
  let pdfinfo: Record<string, string> | undefined;
  if (file !== undefined && spawnSync('pdfinfo', ['-v']).error === undefined) {
    const run = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.equal(run.status, 0, `pdfinfo opens the file: ${run.stderr}`);
    pdfinfo = Object.fromEntries(
      run.stdout
        .split('\n')
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
        .filter((m) => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
  }
  return {
    version: header[1] as string,
    pages: pageObjects,
    mediaBox: (box?.[1] ?? '').trim().split(/\s+/).map(Number),
    pdfinfo,
  };
}
