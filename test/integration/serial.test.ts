import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';
import { FakeBoard, PtyPair } from '../helpers/serial-pty.js';
import { sleep } from '../helpers/wait.js';

interface BoardRecord {
  type: string;
  source: string;
  id: string;
  value: unknown;
  units?: string;
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

function graph(port: string, extra = ''): string {
  return `digraph {
    board [class=SerialDataSource, port="${port}", reconnect_min=0.05, reconnect_max=0.3, probe_timeout=0.5${extra}];
    print [class=PrintDataSink];
    board -> print;
  }`;
}

function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

function sequenceValues(lines: readonly string[]): number[] {
  return lines.map((line) => {
    const records = JSON.parse(line) as BoardRecord[];
    const seq = records.find((r) => r.type === 'counter');
    assert.ok(seq, `no counter record in ${line}`);
    assert.equal(typeof seq.value, 'number', `counter value should be a number in ${line}`);
    return seq.value as number;
  });
}

test('the datalogd command reads a board over a pty: values as numbers, keep-alives ignored, a bad line warned about and counted', async () => {
  const pty = await PtyPair.start(sandbox.dir);
  const board = new FakeBoard({ port: pty.boardPath, rate: 20, keepalive: 0.2 });
  const daemon = new DaemonProcess(['-g', graph(pty.hostPath)], sandbox.env);
  try {
    await daemon.waitForStderr(/Connected to board "A" on .*host/);
    board.sendGarbage();
    await daemon.waitForStderr(/WARNING \[board\] \[DATALOGD_ERR_SERIAL_BAD_LINE\] .*\(1 so far\)/);
    await daemon.waitForStdoutLines(30);
    const lines = daemon.stdoutLines.slice(0, 30);
    for (const line of lines) {
      const records = JSON.parse(line) as BoardRecord[];
      assert.deepEqual(
        records.map((r) => [r.type, r.id]),
        [
          ['counter', 'A_seq'],
          ['temperature', 'A_T0'],
          ['analog', 'A_A0'],
          ['digital', 'A_D4'],
        ],
        'only measurement lines reach the sink, keep-alives do not',
      );
      const [seq, temperature, analog, digital] = records as [
        BoardRecord,
        BoardRecord,
        BoardRecord,
        BoardRecord,
      ];
      assert.equal(temperature.value, 20.25);
      assert.equal(temperature.units, 'C');
      assert.equal(temperature.source, 'A');
      assert.equal(analog.value, (seq.value as number) % 1024);
      assert.ok(digital.value === 0 || digital.value === 1);
    }
    const seqs = sequenceValues(lines);
    seqs.slice(1).forEach((value, i) => {
      assert.equal(value, (seqs[i] as number) + 1, 'no line lost or reordered');
    });
  } finally {
    assert.equal(await daemon.stop(), 0);
    await board.stop();
    await pty.stop();
  }
  assert.equal(count(daemon.stderr, /\[DATALOGD_ERR_SERIAL_BAD_LINE\]/), 1);
  assert.match(daemon.stderr, /board: .*bad_lines=1/);
  assert.match(daemon.stderr, /board: .*ignored_lines=[1-9]/);
});

test('no line is lost from the first one on, even when one read brings many lines', async () => {
  const pty = await PtyPair.start(sandbox.dir, 'board-burst', 'host-burst');
  const daemon = new DaemonProcess(
    ['--log-level', 'debug', '-g', graph(pty.hostPath, ', probe_timeout=30')],
    sandbox.env,
  );
  // The daemon waits on the open port; then the board writes 400 lines as fast as it can.
  await daemon.waitForStderr(/Probing .*host-burst/);
  const board = new FakeBoard({ port: pty.boardPath, rate: 100_000, count: 400, keepalive: 0 });
  try {
    assert.equal(await board.finished(), 0);
    await daemon.waitForStdoutLines(400);
    assert.deepEqual(
      sequenceValues(daemon.stdoutLines),
      Array.from({ length: 400 }, (_, i) => i),
    );
  } finally {
    assert.equal(await daemon.stop(), 0);
    await board.stop();
    await pty.stop();
  }
});

test('a board with the wrong board_id is refused with one warning, and the daemon keeps looking', async () => {
  const pty = await PtyPair.start(sandbox.dir, 'board-b', 'host-b');
  const board = new FakeBoard({ port: pty.boardPath, board: 'B', rate: 20 });
  const daemon = new DaemonProcess(['-g', graph(pty.hostPath, ', board_id=A')], sandbox.env);
  try {
    await daemon.waitForStderr(/WARNING \[board\] \[DATALOGD_ERR_SERIAL_REFUSED\] .*host-b/);
    // Retries every 0.05–0.3 s: several more attempts happen in this time.
    await sleep(1500);
    assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
    assert.equal(daemon.stdoutLines.length, 0, 'nothing from the refused board is sent');
  } finally {
    assert.equal(await daemon.stop(), 0);
    await board.stop();
    await pty.stop();
  }
  assert.equal(count(daemon.stderr, /\[DATALOGD_ERR_SERIAL_REFUSED\]/), 1, daemon.stderr);
  assert.equal(count(daemon.stderr, /No logging board found/), 1, daemon.stderr);
  const attempts = /board: .*attempts=(\d+)/.exec(daemon.stderr);
  const refused = /board: .*refused=(\d+)/.exec(daemon.stderr);
  assert.ok(attempts && Number(attempts[1]) >= 4, `several attempts were made: ${daemon.stderr}`);
  assert.ok(refused && Number(refused[1]) >= 4, `each attempt refused the board: ${daemon.stderr}`);
});

test('unplugging (pty pair killed) and replugging under the same path resumes the data within seconds', async () => {
  let pty = await PtyPair.start(sandbox.dir, 'board-u', 'host-u');
  let board = new FakeBoard({ port: pty.boardPath, rate: 20 });
  const daemon = new DaemonProcess(['-g', graph(pty.hostPath)], sandbox.env);
  try {
    await daemon.waitForStdoutLines(5);

    await board.stop();
    await pty.stop();
    await daemon.waitForStderr(/WARNING \[board\] \[DATALOGD_ERR_SERIAL_LOST\] .*host-u/);
    // Unplugged for a while: many retries, one set of log lines.
    await sleep(1500);
    assert.equal(daemon.child.exitCode, null, 'the daemon survives the unplug');
    const before = daemon.stdoutLines.length;

    const replugged = Date.now();
    pty = await PtyPair.start(sandbox.dir, 'board-u', 'host-u');
    board = new FakeBoard({ port: pty.boardPath, rate: 20, start: 100_000 });
    await daemon.waitFor(
      () => sequenceValues(daemon.stdoutLines.slice(before)).some((v) => v >= 100_000),
      'data from the replugged board',
      5000,
    );
    const resumedAfter = Date.now() - replugged;
    assert.ok(resumedAfter < 5000, `data resumed ${resumedAfter} ms after replugging`);
    assert.equal(daemon.child.exitCode, null);
  } finally {
    assert.equal(await daemon.stop(), 0);
    await board.stop();
    await pty.stop();
  }
  assert.equal(count(daemon.stderr, /\[DATALOGD_ERR_SERIAL_LOST\]/), 1, daemon.stderr);
  assert.equal(count(daemon.stderr, /No logging board found/), 1, daemon.stderr);
  assert.equal(count(daemon.stderr, /Connected to board "A"/), 2, daemon.stderr);
  assert.match(daemon.stderr, /board: .*connects=2 disconnects=1/);
  const attempts = /board: .*attempts=(\d+)/.exec(daemon.stderr);
  assert.ok(attempts && Number(attempts[1]) >= 4, `it kept retrying: ${daemon.stderr}`);
});
