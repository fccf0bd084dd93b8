import { DataNode } from '../core/node.js';

const baseClose = DataNode.prototype.close;

/**
 * Closes one node, whatever its `close()` looks like. A plugin written like Python
 * datalogd's docs overrides `close()` itself: it may return nothing, a value, or a promise,
 * and may not call `super.close()`. So the daemon awaits whatever comes back (a throw or a
 * rejection is the node's close failure) and then runs the base class's `close()` too,
 * which is idempotent: the node's own `onClose()` cleanup, and that of any class it
 * extends, runs exactly once either way.
 */
export async function closeNode(node: DataNode): Promise<void> {
  try {
    await (node.close() as unknown);
  } finally {
    await baseClose.call(node);
  }
}
