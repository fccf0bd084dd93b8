/** The messages between the sink and its render worker. */
import type { PlotFormat } from './options.js';
import type { PlotData } from './series.js';

export interface RenderRequest {
  readonly plot: PlotData;
  readonly format: PlotFormat;
  readonly width: number;
  readonly height: number;
}

export interface WorkerMessage {
  readonly id: number;
  readonly request: RenderRequest;
}

export type RenderReply =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly bytes: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly message: string };
