import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, webUrl } from '../io/web/address.js';

/** The graph that runs when no configuration exists anywhere: something visible at once. */
export const DEMO_GRAPH = `digraph {
  walk [class=RandomWalkDataSource, interval=1.0];
  stamp [class=TimeStampDataFilter];
  console [class=LoggingDataSink];
  plot [class=LivePlotDataSink, title="datalogd demo: random walk", plotlayout="[{'ylabel': 'Value', 'traces': [{'name': 'walker 0', 'selector': [['id', '.*0']]}, {'name': 'walker 1', 'selector': [['id', '.*1']]}]}]"];
  walk -> stamp -> console;
  stamp -> plot;
}`;

export const DEMO_WARNING =
  'No connection graph is configured, so the built-in demo graph runs (random walk -> timestamp -> log, and a live plot: open ' +
  `${webUrl(DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, '/plot/plot/')} in a browser). ` +
  'Configure a real one with -g "digraph { ... }", -c FILE, or connection_graph in ' +
  '~/.config/datalogd/datalogd.conf (see `datalogd --show-config-dirs`).';
