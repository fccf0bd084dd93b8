import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSink } from '../../../src/core/node.js';
import { closeNode } from '../../../src/runtime/close-node.js';

/** A base class with cleanup of its own, like a built-in a user plugin might extend. */
class WithCleanup extends DataSink {
  readonly calls: string[] = [];
  protected override onClose(): void {
    this.calls.push('onClose');
  }
}

// Python-style overrides: `close()` replaced outright, returning whatever it returns.
class ReturnsNothing extends WithCleanup {
  override close(): Promise<void> {
    this.calls.push('close');
    return undefined as unknown as Promise<void>;
  }
}

class ReturnsAValue extends WithCleanup {
  override close(): Promise<void> {
    this.calls.push('close');
    return 42 as unknown as Promise<void>;
  }
}

class AsyncWithoutSuper extends WithCleanup {
  override async close(): Promise<void> {
    await Promise.resolve();
    this.calls.push('close');
  }
}

class CallsSuper extends WithCleanup {
  override async close(): Promise<void> {
    this.calls.push('close');
    await super.close();
  }
}

class Throws extends WithCleanup {
  override close(): Promise<void> {
    this.calls.push('close');
    throw new Error('port already gone');
  }
}

describe('closeNode', () => {
  const tolerated: [string, WithCleanup][] = [
    ['returns undefined', new ReturnsNothing()],
    ['returns a number', new ReturnsAValue()],
    ['is async and does not call super.close()', new AsyncWithoutSuper()],
  ];
  for (const [what, node] of tolerated) {
    test(`a close() that ${what} still gets the node's own cleanup, once`, async () => {
      await closeNode(node);
      await closeNode(node);
      assert.deepEqual(node.calls, ['close', 'onClose', 'close']);
    });
  }

  test('a close() that calls super.close() runs the cleanup once, not twice', async () => {
    const node = new CallsSuper();
    await closeNode(node);
    assert.deepEqual(node.calls, ['close', 'onClose']);
  });

  test('a close() that throws is the close failure, and the cleanup still runs', async () => {
    const node = new Throws();
    await assert.rejects(closeNode(node), /port already gone/);
    assert.deepEqual(node.calls, ['close', 'onClose']);
  });

  test('a node that does not override close() closes once through onClose()', async () => {
    const node = new WithCleanup();
    await closeNode(node);
    assert.deepEqual(node.calls, ['onClose']);
  });
});
