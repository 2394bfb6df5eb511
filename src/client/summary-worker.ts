// Entry of dist/summary-worker.js: builds one file's event summary on a worker thread
// (trace-summary.ts, buildSummary) so the host's own thread — the VS Code extension host,
// which every extension shares, or the `cli view` server — stays free while a large snapshot
// is read (a million events: ~1.3 s of CPU, a quarter of it in one synchronous step). The
// pieces before the span layout live in shared memory (event-summary-writer.ts) and are handed
// back as they are; the layout's buffers are handed over without a copy.
import { parentPort, workerData } from 'node:worker_threads';
import { isSharedMemory } from '../format/memory-arena';
import { buildSummaryHere, type SummaryWorkerMessage } from './trace-summary';

function transferables(pieces: Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const piece of pieces) if (piece.buffer instanceof ArrayBuffer) buffers.add(piece.buffer);
  return [...buffers];
}

/**
 * A piece as posted: one in shared memory goes as it is (the columns; the layout still reads
 * them); any other is cloned, buffer and all, so a small piece that is a view into a larger
 * buffer (the tail, read from a chunk of the file) is cut to its own bytes first.
 */
function postable(piece: Uint8Array): Uint8Array {
  return isSharedMemory(piece.buffer) || piece.byteLength === piece.buffer.byteLength ? piece : piece.slice();
}

const tracePath = (workerData as { tracePath?: unknown } | undefined)?.tracePath;
if (parentPort && typeof tracePath === 'string') {
  const port = parentPort;
  let columnCount = 0;
  // The pieces before the span layout go first, so the host can send them while the layout is
  // computed; then only the layout's pieces.
  const send = (message: SummaryWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  void buildSummaryHere(tracePath, (columns) => {
    columnCount = columns.length;
    send({ columns: columns.map(postable) });
  }, (memoryAhead) => send({ memoryAhead })).then((outcome) => {
    if (!('summary' in outcome)) return send({ outcome });
    const spans = outcome.summary.pieces.slice(columnCount);
    send({ outcome: { summary: { ...outcome.summary, pieces: spans } } }, transferables(spans));
  });
}
