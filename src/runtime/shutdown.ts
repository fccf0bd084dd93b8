import { errorMessage, RUNTIME_EVENTS, type RuntimeEventSpec } from '../core/errors.js';
import type { DataNode, PendingOutput } from '../core/node.js';
import type { ReportProblem } from '../core/problems.js';
import { closeNode } from './close-node.js';
import { upstreamOf, type Edge } from './topology.js';

/** The default of `shutdown_timeout`: the whole shutdown may take this long. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8000;

export interface CloseGraphOptions {
  /** Every node has settled by then, or is abandoned. */
  readonly deadlineMs: number;
  /** Counts and logs close failures and abandoned nodes (the daemon's own counter). */
  readonly report: ReportProblem;
  /** Adds records and bytes abandoned to the daemon's plain counters. */
  readonly countAbandoned?: (pending: PendingOutput) => void;
}

export interface AbandonedNode {
  readonly name: string;
  readonly durable: boolean;
  /** `waiting`: its upstream never closed; `closing`: its own close never settled. */
  readonly stage: 'waiting' | 'closing';
  readonly pending: PendingOutput | undefined;
}

/** A node that closed but gave up on records while doing so (a server that never answered). */
export interface LossAtClose {
  readonly name: string;
  readonly records: number;
}

export interface CloseOutcome {
  /** Nothing abandoned, no close failed, nothing given up at close. */
  readonly clean: boolean;
  readonly closed: readonly string[];
  readonly lostAtClose: readonly LossAtClose[];
  readonly failed: readonly string[];
  readonly abandoned: readonly AbandonedNode[];
  readonly elapsedMs: number;
  /** Durable outputs closed (flushed) and how many there were. */
  readonly durableClosed: number;
  readonly durableTotal: number;
}

/**
 * How long a node waits for the nodes upstream of it before it closes anyway, as a share of
 * the deadline. Waiting lets what they still send reach it; not waiting for ever leaves it
 * time to flush its own buffer when an upstream node hangs. A durable output (a file, a
 * local database) waits less, because it is what must be flushed above all.
 */
const UPSTREAM_WAIT_SHARE = 0.5;
const DURABLE_UPSTREAM_WAIT_SHARE = 0.25;

type Stage = 'waiting' | 'closing' | 'closed' | 'failed';

/** The counters of the runtime events that stand for records given up at close. */
const LOST_AT_CLOSE_COUNTERS: readonly string[] = Object.values(
  RUNTIME_EVENTS as Record<string, RuntimeEventSpec>,
)
  .filter((spec) => spec.lostAtClose === true)
  .map((spec) => spec.counter);

function lostSoFar(node: DataNode): number {
  let stats: Record<string, number>;
  try {
    stats = node.stats();
  } catch {
    return 0;
  }
  return LOST_AT_CLOSE_COUNTERS.reduce((sum, counter) => sum + (stats[counter] ?? 0), 0);
}

/**
 * Closes `nodes` concurrently, each as soon as every node upstream of it (among `nodes`) has
 * closed, so that what is in flight reaches it, and independent branches never wait for one
 * another: a file sink does not wait behind database sinks that hang on a dead server. At
 * the deadline whatever has not closed is abandoned, each reported with what it still holds.
 */
export async function closeGraph(
  nodes: ReadonlyMap<string, DataNode>,
  edges: readonly Edge[],
  options: CloseGraphOptions,
): Promise<CloseOutcome> {
  const started = Date.now();
  const stages = new Map<string, Stage>();
  const settled = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  const upstream = upstreamOf([...nodes.keys()], edges);
  const lostAtClose: LossAtClose[] = [];

  const settle = (name: string): Promise<void> => {
    const existing = settled.get(name);
    if (existing !== undefined) return existing;
    const node = nodes.get(name) as DataNode;
    stages.set(name, 'waiting');
    const before = (upstream.get(name) ?? []).map(settle);
    const share = node.durable ? DURABLE_UPSTREAM_WAIT_SHARE : UPSTREAM_WAIT_SHARE;
    const waitLimit = new Promise<void>((resolve) => {
      timers.push(setTimeout(resolve, options.deadlineMs * share));
    });
    const done = Promise.race([Promise.all(before), waitLimit]).then(async () => {
      stages.set(name, 'closing');
      const lostBefore = lostSoFar(node);
      try {
        await closeNode(node);
        stages.set(name, 'closed');
        const lost = lostSoFar(node) - lostBefore;
        if (lost > 0) lostAtClose.push({ name, records: lost });
      } catch (err) {
        stages.set(name, 'failed');
        options.report(
          'DATALOGD_ERR_NODE_CLOSE',
          `node "${name}" failed to close: ${errorMessage(err)}`,
          {
            key: name,
          },
        );
      }
    });
    settled.set(name, done);
    return done;
  };

  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    deadlineTimer = setTimeout(resolve, options.deadlineMs);
  });
  try {
    await Promise.race([Promise.all([...nodes.keys()].map(settle)), deadline]);
  } finally {
    clearTimeout(deadlineTimer);
    for (const timer of timers) clearTimeout(timer);
  }

  const abandoned: AbandonedNode[] = [];
  for (const [name, stage] of stages) {
    if (stage !== 'waiting' && stage !== 'closing') continue;
    const node = nodes.get(name) as DataNode;
    const pending = safePending(node);
    abandoned.push({ name, durable: node.durable, stage, pending });
    options.countAbandoned?.(pending ?? {});
    options.report(
      'DATALOGD_ERR_CLOSE_ABANDONED',
      `node "${name}"${node.durable ? ' (a durable output)' : ''} had not closed within the ${options.deadlineMs} ms deadline (${stage === 'waiting' ? 'still waiting for the nodes upstream of it' : 'its close never finished'}); abandoned${describePending(pending)}`,
      { key: name },
    );
  }
  const names = [...nodes.keys()];
  const durable = names.filter((name) => nodes.get(name)?.durable === true);
  const failed = names.filter((name) => stages.get(name) === 'failed');
  return {
    clean: abandoned.length === 0 && failed.length === 0 && lostAtClose.length === 0,
    closed: names.filter((name) => stages.get(name) === 'closed'),
    lostAtClose,
    failed,
    abandoned,
    elapsedMs: Date.now() - started,
    durableClosed: durable.filter((name) => stages.get(name) === 'closed').length,
    durableTotal: durable.length,
  };
}

/** A node's own account of what it holds; a plugin that throws here says nothing. */
function safePending(node: DataNode): PendingOutput | undefined {
  try {
    return node.pendingOutput();
  } catch {
    return undefined;
  }
}

export function describePending(pending: PendingOutput | undefined): string {
  if (pending === undefined) return '';
  const parts: string[] = [];
  if (pending.records !== undefined) parts.push(`${pending.records} records`);
  if (pending.bytes !== undefined) parts.push(`${pending.bytes} bytes`);
  return parts.length === 0 ? '' : ` with ${parts.join(', ')} still buffered`;
}
