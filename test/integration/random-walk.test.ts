import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProcess, makeSandbox, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
before(async () => {
  sandbox = await makeSandbox();
});
after(async () => {
  await sandbox.cleanup();
});

interface WalkRecord {
  type: string;
  id: string;
  value: number;
}

test('a random walk graph given with -g prints one JSON list per tick, stepping by the increments', async () => {
  const graph = `digraph {
    w [class=RandomWalkDataSource, interval=0.05, walkers="[[0, 1], [10, 2.5]]"];
    p [class=PrintDataSink];
    w -> p;
  }`;
  const daemon = new DaemonProcess(['-g', graph], sandbox.env);
  try {
    await daemon.waitForStdoutLines(8);
    const ticks = daemon.stdoutLines.slice(0, 8).map((line) => JSON.parse(line) as WalkRecord[]);
    for (const tick of ticks) {
      assert.deepEqual(
        tick.map((r) => [r.type, r.id]),
        [
          ['analog', 'randomwalk0'],
          ['analog', 'randomwalk1'],
        ],
      );
    }
    const increments = [1, 2.5];
    const initial = [0, 10];
    let previous = initial;
    const seenSteps = new Set<number>();
    for (const tick of ticks) {
      tick.forEach((record, i) => {
        const step = record.value - (previous[i] as number);
        const inc = increments[i] as number;
        assert.ok(
          [-inc, 0, inc].some((allowed) => Math.abs(step - allowed) < 1e-9),
          `walker ${i} stepped by ${step}, not by -${inc}, 0 or ${inc}`,
        );
        seenSteps.add(Math.sign(step));
      });
      previous = tick.map((r) => r.value);
    }
    assert.ok(seenSteps.size >= 2, 'the walk should not stand still for 16 steps');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('the same seed reproduces the same walk', async () => {
  const graph = `digraph { w [class=RandomWalkDataSource, interval=0.02, seed=42]; p [class=PrintDataSink]; w -> p; }`;
  const runs: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const daemon = new DaemonProcess(['-g', graph], sandbox.env);
    await daemon.waitForStdoutLines(5);
    assert.equal(await daemon.stop(), 0);
    runs.push(daemon.stdoutLines.slice(0, 5));
  }
  assert.deepEqual(runs[0], runs[1]);
});
