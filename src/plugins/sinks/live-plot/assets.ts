/**
 * The files a plot page loads, served from the installed package: the chart library
 * (uPlot, from its npm package) and the page's own script and style (assets/live-plot).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** URL path on the server -> file on disk. */
export function pageAssets(): ReadonlyMap<string, string> {
  const require = createRequire(import.meta.url);
  const uplot = join(dirname(require.resolve('uplot/package.json')), 'dist');
  // This file sits four folders below the package root, in src/ and in dist/ alike.
  const own = fileURLToPath(new URL('../../../../assets/live-plot/', import.meta.url));
  return new Map([
    ['/assets/uplot/uPlot.iife.min.js', join(uplot, 'uPlot.iife.min.js')],
    ['/assets/uplot/uPlot.min.css', join(uplot, 'uPlot.min.css')],
    ['/assets/live-plot/live-plot.js', join(own, 'live-plot.js')],
    ['/assets/live-plot/store.js', join(own, 'store.js')],
    ['/assets/live-plot/charts.js', join(own, 'charts.js')],
    ['/assets/live-plot/connection.js', join(own, 'connection.js')],
    ['/assets/live-plot/live-plot.css', join(own, 'live-plot.css')],
  ]);
}
