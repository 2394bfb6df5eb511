// Entry of dist/summary-worker.js: builds one file's event summary on a worker thread
// (trace-summary.ts, buildSummary) so the host's own thread — the VS Code extension host,
// which every extension shares, or the `cli view` server — stays free while a large snapshot
// is read (a million events: ~1.6 s of CPU, half a second of it in one synchronous step). The
// pieces before the span layout are copied once into one buffer and handed back; the layout's
// buffers are handed back without a copy.
import { parentPort, workerData } from 'node:worker_threads';
import { concatBytes } from '../format/snapshot-lines';
import { buildSummaryHere, type SummaryWorkerMessage } from './trace-summary';

function transferables(pieces: Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const piece of pieces) if (piece.buffer instanceof ArrayBuffer) buffers.add(piece.buffer);
  return [...buffers];
}

const tracePath = (workerData as { tracePath?: unknown } | undefined)?.tracePath;
if (parentPort && typeof tracePath === 'string') {
  const port = parentPort;
  let columnCount = 0;
  // The pieces before the span layout go first, copied (the layout still reads those columns),
  // so the host can send them while the layout is computed; then only the layout's pieces,
  // handed over as they are.
  const send = (message: SummaryWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  void buildSummaryHere(tracePath, (columns) => {
    columnCount = columns.length;
    // One exact copy, handed over: posting the pieces as they are would clone each piece's
    // whole buffer (the growable columns' spare capacity too), twice — ~0.2 s for 1 M events.
    const joined = concatBytes(columns);
    const ownBuffer = joined.byteOffset === 0 && joined.byteLength === joined.buffer.byteLength && joined.buffer instanceof ArrayBuffer;
    send({ columns: [joined] }, ownBuffer ? [joined.buffer] : []);
  }).then((outcome) => {
    if (!('summary' in outcome)) return send({ outcome });
    const spans = outcome.summary.pieces.slice(columnCount);
    send({ outcome: { summary: { ...outcome.summary, pieces: spans } } }, transferables(spans));
  });
}
