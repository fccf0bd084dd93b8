import { DatalogdError, errorMessage } from '../core/errors.js';
import type { ValidNode } from './validate.js';

type ValidateHook = (options: Record<string, unknown>, nodeName: string) => Promise<unknown>;

/**
 * Runs the optional `static validate(options, nodeName)` of each valid node's class, all at
 * once, and collects what they find. These are the checks a schema cannot make: reading a
 * file the options name, compiling expressions with a library that is loaded only when some
 * node needs it. A hook that throws is reported as that node's problem, not a crash.
 */
export async function validateNodesAsync(nodes: readonly ValidNode[]): Promise<DatalogdError[]> {
  const results = await Promise.all(
    nodes.map(async (node): Promise<readonly DatalogdError[]> => {
      const cls = node.plugin.cls;
      if (cls.optionsSchema === undefined || typeof cls.validate !== 'function') return [];
      const hook = cls.validate.bind(cls) as unknown as ValidateHook;
      try {
        const found = await hook(node.options, node.name);
        return Array.isArray(found)
          ? found.filter((p): p is DatalogdError => p instanceof DatalogdError)
          : [];
      } catch (err) {
        return [
          new DatalogdError(
            'DATALOGD_ERR_NODE_CONSTRUCT',
            `node "${node.name}": ${node.className} could not check its options: ${errorMessage(err)}`,
            { node: node.name, cause: err },
          ),
        ];
      }
    }),
  );
  return results.flat();
}
