import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { DatalogdError } from '../../../src/core/errors.js';
import { DataFilter, type PluginClass } from '../../../src/core/node.js';
import { validateNodesAsync } from '../../../src/graph/validate-async.js';
import type { ValidNode } from '../../../src/graph/validate.js';

function node(name: string, cls: PluginClass, options: Record<string, unknown>): ValidNode {
  return {
    name,
    className: cls.name,
    plugin: { cls, kind: 'DataFilter', origin: 'test' },
    options,
  };
}

describe('validateNodesAsync (the optional static validate hook)', () => {
  test('calls the hook with the schema output and the node name, and collects what it finds', async () => {
    const calls: unknown[] = [];
    class CheckedDataFilter extends DataFilter {
      static readonly optionsSchema = z.object({ path: z.string() });
      static async validate(options: { path: string }, nodeName: string): Promise<DatalogdError[]> {
        calls.push([options, nodeName]);
        await Promise.resolve();
        return options.path === 'bad'
          ? [new DatalogdError('DATALOGD_ERR_RULES', `node "${nodeName}": bad path`)]
          : [];
      }
    }
    const problems = await validateNodesAsync([
      node('a', CheckedDataFilter, { path: 'good' }),
      node('b', CheckedDataFilter, { path: 'bad' }),
    ]);
    assert.deepEqual(calls, [
      [{ path: 'good' }, 'a'],
      [{ path: 'bad' }, 'b'],
    ]);
    assert.deepEqual(
      problems.map((p) => p.message),
      ['node "b": bad path'],
    );
  });

  test('a hook that throws becomes a problem of its node, not a crash', async () => {
    class BrokenDataFilter extends DataFilter {
      static readonly optionsSchema = z.object({});
      static validate(): Promise<DatalogdError[]> {
        return Promise.reject(new Error('oops'));
      }
    }
    const problems = await validateNodesAsync([node('x', BrokenDataFilter, {})]);
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.ok(problem !== undefined);
    assert.equal(problem.code, 'DATALOGD_ERR_NODE_CONSTRUCT');
    assert.equal(problem.node, 'x');
    assert.match(problem.message, /BrokenDataFilter could not check its options: oops/);
  });

  test('classes without a schema (Python-style user plugins) are never called', async () => {
    let called = false;
    class LegacyDataFilter extends DataFilter {
      static validate(): Promise<DatalogdError[]> {
        called = true;
        return Promise.resolve([new DatalogdError('DATALOGD_ERR_RULES', 'no')]);
      }
    }
    assert.deepEqual(await validateNodesAsync([node('l', LegacyDataFilter, {})]), []);
    assert.equal(called, false);
  });
});
