/**
 * The render worker's entry: draws each plot it is sent and sends the file's bytes back.
 * Drawing runs here, not on the daemon's thread, so a large plot never delays records.
 */
import { parentPort } from 'node:worker_threads';
import { drawPlot } from './draw.js';
import type { RenderReply, WorkerMessage } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('render-worker.js runs only as a worker thread');

port.on('message', (message: WorkerMessage) => {
  const reply = (answer: RenderReply, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(answer, transfer);
  };
  drawPlot(message.request).then(
    (bytes) => {
      const copy = new Uint8Array(bytes);
      reply({ id: message.id, ok: true, bytes: copy }, [copy.buffer]);
    },
    (err: unknown) => {
      reply({
        id: message.id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      });
    },
  );
});
port.postMessage({ ready: true } satisfies RenderReply);
