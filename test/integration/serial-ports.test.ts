// Port listing and selection against a sysfs-shaped tree, and the SerialDataSource choosing a
// real pty by pattern or USB ids through that listing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatPortList, listSerial } from '../../src/cli/list-serial.js';
import { listSerialPorts } from '../../src/plugins/sources/serial/ports.js';
import { serialOptionsSchema } from '../../src/plugins/sources/serial/options.js';
import { SerialDataSource } from '../../src/plugins/sources/serial/source.js';
import { makeSandbox, runDaemon } from '../helpers/daemon.js';
import { captureLogEachTest } from '../helpers/log-capture.js';
import { buildTtyTree, FakeBoard, PtyPair, type TtyTree } from '../helpers/serial-pty.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const udevMissing = (): Promise<never> => Promise.reject(new Error('spawn udevadm ENOENT'));

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'datalogd-tty-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('listSerialPorts', () => {
  let tree: TtyTree;
  before(async () => {
    tree = await buildTtyTree(join(root, 'listing'));
  });

  test('without udev, ports come from /dev names and sysfs, as pyserial finds them', async () => {
    const listing = await listSerialPorts({ ...tree, lister: udevMissing });
    assert.equal(listing.fallbackReason, 'spawn udevadm ENOENT');
    assert.deepEqual(listing.ports, [
      {
        path: join(tree.devDir, 'ttyACM0'),
        manufacturer: 'Arduino (www.arduino.cc)',
        product: 'Arduino Uno',
        vendorId: 0x2341,
        productId: 0x0043,
        serialNumber: '85735313233351F0E1A1',
        location: '1-1.2:1.0',
      },
      {
        path: join(tree.devDir, 'ttyS4'),
        manufacturer: undefined,
        product: undefined,
        vendorId: undefined,
        productId: undefined,
        serialNumber: undefined,
        location: undefined,
      },
      {
        path: join(tree.devDir, 'ttyUSB0'),
        manufacturer: 'FTDI',
        product: 'FT232R USB UART',
        vendorId: 0x0403,
        productId: 0x6001,
        serialNumber: 'A50285BI',
        location: '1-1.3',
      },
    ]);
  });

  test("with udev, its list is used and completed with sysfs's location and product", async () => {
    const listing = await listSerialPorts({
      ...tree,
      lister: () =>
        Promise.resolve([
          {
            path: join(tree.devDir, 'ttyACM0'),
            manufacturer: 'Arduino (www.arduino.cc)',
            serialNumber: '85735313233351F0E1A1',
            vendorId: '2341',
            productId: '0043',
            locationId: undefined,
          },
        ]),
    });
    assert.equal(listing.fallbackReason, undefined);
    assert.equal(listing.ports.length, 1);
    assert.equal(listing.ports[0]?.location, '1-1.2:1.0');
    assert.equal(listing.ports[0].product, 'Arduino Uno');
    assert.equal(listing.ports[0].vendorId, 0x2341);
  });

  test('a missing /dev gives an empty list, not an error', async () => {
    const listing = await listSerialPorts({
      devDir: join(root, 'nowhere'),
      sysClassTty: join(root, 'nowhere'),
      lister: udevMissing,
    });
    assert.deepEqual(listing.ports, []);
  });

  test('the real listing of this machine resolves, udev or not', async () => {
    const listing = await listSerialPorts();
    for (const port of listing.ports) assert.match(port.path, /^\/dev\//);
  });

  test('list-serial prints each port with the options that select it', async () => {
    let out = '';
    const code = await listSerial({
      ...tree,
      lister: udevMissing,
      write: (text) => {
        out += text;
      },
    });
    assert.equal(code, 0);
    assert.match(out, /system port list is unavailable: spawn udevadm ENOENT/);
    assert.match(out, /ttyACM0\n {2}manufacturer: {2}Arduino \(www\.arduino\.cc\)\n/);
    assert.match(out, / {2}vid: {11}0x2341\n {2}pid: {11}0x0043\n/);
    assert.match(out, / {2}location: {6}1-1\.2:1\.0\n/);
    assert.match(out, /options: {7}vid=0x2341, pid=0x0043, serial_number="'85735313233351F0E1A1'"/);
    assert.match(out, /ttyS4\n {2}manufacturer: {2}-\n/);
    assert.match(out, /options: {7}port=".*ttyS4"/);
  });

  test('no ports at all', () => {
    assert.equal(
      formatPortList({ ports: [], fallbackReason: undefined }),
      'No serial ports found.\n',
    );
  });
});

test('the datalogd list-serial command exits 0 and prints the ports or says there are none', async () => {
  const sandbox = await makeSandbox();
  try {
    const { code, stdout } = await runDaemon(['list-serial'], sandbox.env);
    assert.equal(code, 0);
    assert.match(stdout, /No serial ports found\.|\/dev\/tty/);
  } finally {
    await sandbox.cleanup();
  }
});

describe('SerialDataSource choosing a port from the list', () => {
  let pty: PtyPair;
  let board: FakeBoard;
  let tree: TtyTree;
  const log = captureLogEachTest();

  before(async () => {
    pty = await PtyPair.start(root, 'sel-board', 'sel-host');
    board = new FakeBoard({ port: pty.boardPath, rate: 50 });
    tree = await buildTtyTree(join(root, 'selection'), pty.hostPath);
  });
  after(async () => {
    await board.stop();
    await pty.stop();
  });

  async function firstRecords(options: Record<string, unknown>): Promise<unknown[]> {
    const source = new SerialDataSource(
      serialOptionsSchema.parse({ probe_timeout: 0.5, reconnect_min: 0.05, ...options }),
      { listOptions: { ...tree, lister: udevMissing } },
    );
    const received: unknown[] = [];
    source.connectSinks({ receive: (data: unknown) => received.push(data) });
    source.start();
    try {
      await waitUntil(() => received.length >= 2, 'records from the board', { timeoutMs: 5000 });
    } finally {
      await source.close();
    }
    return received;
  }

  const selectors: [string, Record<string, unknown>][] = [
    ['a pattern on the manufacturer', { port: 'arduino' }],
    ['a pattern on the hardware id', { port: '2341:0043' }],
    ['vid and pid', { vid: '0x2341', pid: 67 }],
    ['serial number and location', { serial_number: '8573', location: '1-1.2' }],
  ];
  for (const [name, options] of selectors) {
    test(`finds the board on the Arduino's port by ${name}`, async () => {
      const received = await firstRecords(options);
      const first = received[0] as { id: string; value: unknown }[];
      assert.equal(first[0]?.id, 'A_seq');
      assert.equal(typeof first[0].value, 'number');
    });
  }

  test('criteria that fit no port: one warning, no data, and close() ends the search', async () => {
    const source = new SerialDataSource(
      serialOptionsSchema.parse({ vid: 0x1234, reconnect_min: 0.02, reconnect_max: 0.05 }),
      { listOptions: { ...tree, lister: udevMissing } },
    );
    source.nodeName = 'nomatch';
    const received: unknown[] = [];
    source.connectSinks({ receive: (data: unknown) => received.push(data) });
    source.start();
    await waitUntil(() => (source.stats().attempts ?? 0) >= 5, 'several attempts');
    await source.close();
    const attempts = source.stats().attempts;
    assert.deepEqual(received, []);
    const mine = log.current.lines.filter((l) => l.includes('[nomatch]'));
    assert.equal(mine.filter((l) => l.includes('No logging board found (vid=0x1234)')).length, 1);
    assert.equal(mine.filter((l) => l.includes('None of the 3 listed serial port(s)')).length, 1);
    assert.equal(
      mine.filter((l) => l.includes('system port list is unavailable')).length,
      1,
      'the fallback is mentioned once',
    );
    await sleep(200);
    assert.equal(source.stats().attempts, attempts, 'no attempt after close()');
  });

  test('a port that cannot be opened is reported and skipped', async () => {
    const source = new SerialDataSource(
      serialOptionsSchema.parse({ vid: 0x0403, reconnect_min: 0.02, reconnect_max: 0.05 }),
      { listOptions: { ...tree, lister: udevMissing } },
    );
    source.nodeName = 'ftdi';
    source.start();
    await waitUntil(() => (source.stats().attempts ?? 0) >= 3, 'several attempts');
    await source.close();
    const mine = log.current.lines.filter((l) => l.includes('[ftdi]'));
    assert.equal(mine.filter((l) => /Cannot open .*ttyUSB0/.test(l)).length, 1, mine.join('\n'));
  });
});
