/** Creating a validated graph's nodes: at start, and for the added or changed nodes of a reload. */
import { DatalogdError, errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import type { DataNode } from '../core/node.js';
import type { ValidNode } from '../graph/validate.js';
import { instantiate } from './construct.js';
import { redactSecrets } from './redact.js';

const log = getLogger('DataLogDaemon');

/** Creates the nodes (constructors do no I/O); a constructor that throws is a problem. */
export function constructNodes(
  specs: readonly ValidNode[],
  problems: DatalogdError[],
): Map<string, DataNode> {
  const nodes = new Map<string, DataNode>();
  for (const spec of specs) {
    log.info(
      `Initialising node ${spec.name}:${spec.className}(${JSON.stringify(redactSecrets(spec.options))})`,
    );
    try {
      const { node, style } = instantiate(spec.plugin, spec.options);
      if (style === 'sinks-first') {
        log.debug(
          `${spec.className}'s constructor takes sinks first (Python style): called as new ${spec.className}([], options)`,
        );
      }
      node.nodeName = spec.name;
      nodes.set(spec.name, node);
    } catch (err) {
      problems.push(
        new DatalogdError(
          'DATALOGD_ERR_NODE_CONSTRUCT',
          `node "${spec.name}": ${spec.className} could not be created: ${errorMessage(err)}`,
          { node: spec.name, cause: err },
        ),
      );
    }
  }
  return nodes;
}
