/**
 * The messages a plot page receives over its WebSocket, as JSON text. The page's script
 * (assets/live-plot/live-plot.js) reads the same shapes.
 *
 *   hello   the layout and the current units; the page (re)builds its charts from it
 *   points  [[trace, [x...], [y...]], ...]: new points, x in ms since the epoch
 *   synced  the backlog is complete, with every trace's units; what follows is live
 *
 * History is not pushed: the page asks for it (GET history?range=hour|run) when the user
 * presses a history button, and gets {traces: [[trace, [x...], [y...]], ...], ...}.
 */
import type { PanelSpec } from './layout.js';

export interface HelloContent {
  readonly node: string;
  readonly title: string;
  readonly npoints: number;
  readonly windowMs: number | null;
  readonly xlink: boolean;
  readonly crosshair: boolean;
  readonly size: readonly [number, number] | null;
  readonly panels: readonly PanelSpec[];
  readonly units: readonly (string | null)[];
  /** Whether the page can ask for history (a store is there to read it from). */
  readonly history: boolean;
}

export function helloMessage(content: HelloContent): string {
  let index = 0;
  return JSON.stringify({
    type: 'hello',
    node: content.node,
    title: content.title,
    npoints: content.npoints,
    window: content.windowMs,
    xlink: content.xlink,
    crosshair: content.crosshair,
    size: content.size,
    history: content.history,
    panels: content.panels.map((panel) => ({
      ylabel: panel.ylabel,
      traces: panel.traces.map((trace) => {
        const i = index++;
        return {
          index: i,
          name: trace.name,
          color: trace.pen.color,
          width: trace.pen.width,
          dash: trace.pen.dash,
          line: trace.pen.line,
          points: trace.points,
          pointSize: trace.pointSize,
          units: content.units[i] ?? null,
        };
      }),
    })),
  });
}

/** One trace's points, as `TraceBuffer.json` writes them. */
export interface TracePoints {
  readonly index: number;
  readonly x: string;
  readonly y: string;
}

export function pointsMessage(
  traces: readonly TracePoints[],
  units: readonly (readonly [number, string])[] = [],
  skipped?: Readonly<Record<string, number>>,
): string {
  let text = '{"type":"points","traces":[';
  for (let i = 0; i < traces.length; i++) {
    const t = traces[i] as TracePoints;
    if (i > 0) text += ',';
    text += `[${t.index},[${t.x}],[${t.y}]]`;
  }
  text += ']';
  if (units.length > 0) text += `,"units":${JSON.stringify(units)}`;
  if (skipped !== undefined) text += `,"skipped":${JSON.stringify(skipped)}`;
  return `${text}}`;
}

/** The end of the backlog, with what changed while it was sent: units, and skip counts. */
export function syncedMessage(
  units: readonly (string | null)[],
  skipped: Readonly<Record<string, number>>,
): string {
  return JSON.stringify({ type: 'synced', units, skipped });
}
