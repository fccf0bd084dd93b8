/**
 * The figure's typeface, shipped in an npm package so that text renders the same on a
 * machine without system fonts: DejaVu Sans, regular and bold.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const FONT_FAMILY = 'DejaVu Sans';
/** What the SVG names: viewers without DejaVu fall back to a font of similar widths. */
export const SVG_FONT_STACK = `${FONT_FAMILY}, Verdana, Geneva, sans-serif`;

export const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
} as const;

/** Whether a Vega font weight draws in the bold face. */
export function isBold(weight: unknown): boolean {
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder';
}
