// Entry of dist/summary-worker.js: builds one file's event summary on a worker thread
// (trace-summary.ts, buildSummary) so the host's own thread — the VS Code extension host,
// which every extension shares, or the `cli view` server — stays free while a large snapshot
// is read (a million events: ~1.6 s of CPU, half a second of it in one synchronous step). The
// summary's buffers are handed back without a copy.
import { parentPort, workerData } from 'node:worker_threads';
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
  // handed over without a copy.
  const send = (message: SummaryWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  void buildSummaryHere(tracePath, (columns) => {
    columnCount = columns.length;
    send({ columns });
  }).then((outcome) => {
    if (!('summary' in outcome)) return send({ outcome });
    const spans = outcome.summary.pieces.slice(columnCount);
    send({ outcome: { summary: { ...outcome.summary, pieces: spans } } }, transferables(spans));
  });
}
