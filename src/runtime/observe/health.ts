/**
 * `/health`: 200 while every node is running, 503 with the nodes that are not (a socket
 * client not connected, a serial board not found, a database that refuses writes), each
 * with since when and why, for systemd watchdogs, load balancers and people.
 */
import type { NodeSnapshot } from './snapshot.js';

export interface FailingNode {
  readonly node: string;
  readonly class: string;
  /** ISO 8601, UTC. */
  readonly since: string;
  readonly seconds: number;
  readonly detail?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'failing' | 'stopping';
  readonly nodes: number;
  readonly failing: readonly FailingNode[];
}

export function healthReport(nodes: readonly NodeSnapshot[], now: number): HealthReport {
  const failing: FailingNode[] = [];
  for (const n of nodes) {
    if (n.health.ok) continue;
    failing.push({
      node: n.name,
      class: n.className,
      since: new Date(n.health.since).toISOString(),
      seconds: Math.max(0, Math.round((now - n.health.since) / 100) / 10),
      ...(n.health.detail === undefined ? {} : { detail: n.health.detail }),
    });
  }
  return { status: failing.length === 0 ? 'ok' : 'failing', nodes: nodes.length, failing };
}

export function healthStatus(report: HealthReport): number {
  return report.status === 'ok' ? 200 : 503;
}
