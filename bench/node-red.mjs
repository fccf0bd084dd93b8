// Node-RED 4 as a relay baseline: tcp in -> function -> tcp out. Installed into
// .bench-cache/node-red on first use; it is not a dependency of datalogd.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../.bench-cache/node-red/', import.meta.url));
const RED_JS = join(CACHE, 'node_modules', 'node-red', 'red.js');

export function ensureNodeRed() {
  if (existsSync(RED_JS)) return RED_JS;
  console.log(`installing node-red@4 into ${CACHE} (first run only)...`);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'package.json'), '{"name":"bench-node-red","private":true}\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', 'node-red@4'], {
    cwd: CACHE,
    stdio: 'inherit',
  });
  return RED_JS;
}

/** Writes a user directory with the relay flow; returns the arguments to start Node-RED. */
export function nodeRedRelayArgs(inPort, outPort, uiPort) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-node-red-'));
  const flows = [
    { id: 'tab', type: 'tab', label: 'relay' },
    {
      id: 'in',
      type: 'tcp in',
      z: 'tab',
      server: 'server',
      host: '',
      port: String(inPort),
      datamode: 'stream',
      datatype: 'utf8',
      newline: '\u0017',
      topic: '',
      trim: false,
      base64: false,
      tls: '',
      wires: [['fn']],
    },
    {
      id: 'fn',
      type: 'function',
      z: 'tab',
      outputs: 1,
      wires: [['out']],
      func: "msg.payload = JSON.stringify(JSON.parse(msg.payload)) + '\\u0017';\nreturn msg;",
    },
    {
      id: 'out',
      type: 'tcp out',
      z: 'tab',
      host: '127.0.0.1',
      port: String(outPort),
      beserver: 'client',
      base64: false,
      end: false,
      tls: '',
      wires: [],
    },
  ];
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flows));
  writeFileSync(
    join(dir, 'settings.js'),
    `module.exports = {
  uiPort: ${uiPort}, uiHost: '127.0.0.1', flowFile: 'flows.json',
  httpAdminRoot: false, httpNodeRoot: false,
  logging: { console: { level: 'warn' } },
  telemetry: { enabled: false }, diagnostics: { enabled: false },
  editorTheme: { tours: false },
};
`,
  );
  return { dir, args: [ensureNodeRed(), '--userDir', dir, '--settings', join(dir, 'settings.js')] };
}
