import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { printingServer, pyPeer, pyServer, serverPort, socatSend } from '../helpers/peers.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

test('a Python peer sends to a project server: json.dumps output, NaN and non-ASCII escapes', async () => {
  const { daemon, port } = await printingServer(sandbox.env);
  try {
    const sent = pyPeer([
      'send',
      '--port',
      String(port),
      '[{"type": "temperature", "id": "A0", "value": NaN, "units": "\\u00b0C"}]',
      '{"a": Infinity, "b": -Infinity, "emoji": "\\ud83d\\ude00", "nested": {"list": [1, 2.5, null, true]}}',
      '"just a string"',
    ]);
    assert.equal(await sent.finished(), 0, sent.stderr);
    await daemon.waitForStdoutLines(3);
    assert.deepEqual(daemon.stdoutLines.slice(0, 3), [
      '[{"type":"temperature","id":"A0","value":null,"units":"°C"}]',
      '{"a":null,"b":null,"emoji":"😀","nested":{"list":[1,2.5,null,true]}}',
      'just a string',
    ]);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
  assert.match(daemon.stderr, /s: messages_in=3 /);
});

test('a project client sends to a Python server; Python reads what it expects', async () => {
  const { peer, port } = await pyServer();
  const graph = `digraph {
    h [class=HeartbeatDataSource, interval=0.05, message="{'type': 'config', 'id': 'hb', 'units': '°C'}"];
    c [class=SocketDataFilter, role=client, port=${port}];
    h -> c;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await peer.waitForLines(5);
    for (let i = 0; i < 5; i++) {
      assert.equal(
        peer.lines[i],
        `[{"id": "hb", "type": "config", "units": "\\u00b0C", "value": ${i + 1}}]`,
      );
    }
  } finally {
    assert.equal(await daemon.stop(), 0);
    await peer.stop();
  }
});

test('project server and project client, data flowing both ways', async () => {
  const serverGraph = `digraph {
    s [class=SocketDataFilter, port=0];
    beat [class=HeartbeatDataSource, interval=0.05, message="{'type': 'from', 'id': 'server'}"];
    p [class=PrintDataSink];
    beat -> s -> p;
  }`;
  const server = new DaemonProcess(['-g', serverGraph], sandbox.env);
  const port = await serverPort(server, 's');
  const clientGraph = `digraph {
    c [class=SocketDataFilter, role=client, port=${port}];
    beat [class=HeartbeatDataSource, interval=0.05, message="{'type': 'from', 'id': 'client'}"];
    p [class=PrintDataSink];
    beat -> c -> p;
  }`;
  const client = new DaemonProcess(['-g', clientGraph], sandbox.env);
  try {
    await server.waitFor(() => server.stdoutLines.length >= 3, 'server receiving');
    await client.waitFor(() => client.stdoutLines.length >= 3, 'client receiving');
    for (const line of server.stdoutLines.slice(0, 3))
      assert.match(line, /^\[\{"type":"from","id":"client","value":\d+\}\]$/);
    for (const line of client.stdoutLines.slice(0, 3))
      assert.match(line, /^\[\{"type":"from","id":"server","value":\d+\}\]$/);
  } finally {
    assert.equal(await client.stop(), 0);
    assert.equal(await server.stop(), 0);
  }
});

test('socat writes by hand to a server, as the protocol doc shows', async () => {
  const { daemon, port } = await printingServer(sandbox.env);
  try {
    const socat = socatSend(port, Buffer.from('[{"id":"x","value":1}]\x17'));
    assert.equal(await socat.finished(), 0);
    await daemon.waitForStdoutLines(1);
    assert.equal(daemon.stdoutLines[0], '[{"id":"x","value":1}]');
  } finally {
    await daemon.stop();
  }
});

test('a "\\r\\n" delimiter', async () => {
  const { daemon, port } = await printingServer(sandbox.env, ', message_delimiter="\\r\\n"');
  try {
    const socat = socatSend(port, Buffer.from('{"n": 1}\r\n{"n": 2}\r\n\r\n{"n": 3}\r\n'));
    assert.equal(await socat.finished(), 0);
    await daemon.waitForStdoutLines(3);
    assert.deepEqual(daemon.stdoutLines.slice(0, 3), ['{"n":1}', '{"n":2}', '{"n":3}']);
  } finally {
    await daemon.stop();
  }
  assert.match(daemon.stderr, /dropped_empty=1/);
});

for (const encoding of ['latin-1', 'utf-16']) {
  test(`${encoding} encoding in both directions`, async () => {
    const { daemon, port } = await printingServer(sandbox.env, `, message_encoding="${encoding}"`);
    try {
      const sent = pyPeer([
        'send',
        '--port',
        String(port),
        '--encoding',
        encoding,
        '--no-ascii',
        '{"units": "°C", "value": 21.5}',
      ]);
      assert.equal(await sent.finished(), 0, sent.stderr);
      await daemon.waitForStdoutLines(1);
      assert.equal(daemon.stdoutLines[0], '{"units":"°C","value":21.5}');
    } finally {
      await daemon.stop();
    }
    const { peer, port: pyPort } = await pyServer(['--encoding', encoding]);
    const graph = `digraph {
      h [class=HeartbeatDataSource, interval=0.05, message="{'units': 'µm'}"];
      c [class=SocketDataFilter, role=client, port=${pyPort}, message_encoding="${encoding}"];
      h -> c;
    }`;
    const client = new DaemonProcess(['-g', graph], sandbox.env);
    try {
      await peer.waitForLines(2);
      assert.equal(peer.lines[0], '[{"units": "\\u00b5m", "value": 1}]');
    } finally {
      await client.stop();
      await peer.stop();
    }
  });
}
