/** The HTML of one plot's page; its script builds the charts from the `hello` message. */
import { escapeHtml } from '../../../io/web/index-page.js';

export function plotPage(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="stylesheet" href="/assets/uplot/uPlot.min.css">
<link rel="stylesheet" href="/assets/live-plot/live-plot.css">
</head>
<body>
<header>
  <h1 id="title">${t}</h1>
  <nav>
    <button type="button" id="pause" title="Stop scrolling; data keeps arriving">Pause</button>
    <button type="button" id="reset" title="Show everything again and follow new data">Reset zoom</button>
    <span id="history" hidden>
      <button type="button" id="history-hour" title="Load the last hour from the store">Last hour</button>
      <button type="button" id="history-run" title="Load this run from the store">This run</button>
      <button type="button" id="history-clear" title="Show only the live points again" hidden>Live only</button>
    </span>
    <button type="button" id="csv" title="The data in view, as CSV">Download CSV</button>
    <button type="button" id="png" title="The charts, as a PNG image">Download PNG</button>
    <a href="/" title="Every page this daemon serves">All plots</a>
  </nav>
  <p id="status" role="status" aria-live="polite">Connecting…</p>
</header>
<main id="panels"></main>
<noscript>This page needs JavaScript to draw its charts.</noscript>
<script src="/assets/uplot/uPlot.iife.min.js"></script>
<script type="module" src="/assets/live-plot/live-plot.js"></script>
</body>
</html>
`;
}
