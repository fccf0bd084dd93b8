/** The graph that runs when no configuration exists anywhere: something visible at once. */
export const DEMO_GRAPH = `digraph {
  walk [class=RandomWalkDataSource, interval=1.0];
  stamp [class=TimeStampDataFilter];
  console [class=LoggingDataSink];
  walk -> stamp -> console;
}`;

export const DEMO_WARNING =
  'No connection graph is configured, so the built-in demo graph runs (random walk -> timestamp -> log). ' +
  'Configure a real one with -g "digraph { ... }", -c FILE, or connection_graph in ' +
  '~/.config/datalogd/datalogd.conf (see `datalogd --show-config-dirs`).';
