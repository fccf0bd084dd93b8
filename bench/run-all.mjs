// Runs every benchmark in turn. Each prints its figure beside a baseline run with it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const only = process.argv.slice(2);
const benches = [
  'dispatch.mjs',
  'pipeline.mjs',
  'startup.mjs',
  'idle-rss.mjs',
  'relay.mjs',
  'non-reading-peers.mjs',
  'python-json.mjs',
  'serial.mjs',
  'influxdb.mjs',
  'sqlite.mjs',
  'postgresql.mjs',
  'replay.mjs',
  'live-plot.mjs',
  'reload.mjs',
  'metrics.mjs',
].filter((b) => only.length === 0 || only.some((o) => b.startsWith(o)));
for (const bench of benches) {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(bench, import.meta.url))], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
