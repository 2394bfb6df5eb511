// Entry of dist/summary-worker.js: builds one file's event summary on a worker thread
// (trace-summary.ts, buildSummary) so the host's own thread — the VS Code extension host,
// which every extension shares, or the `cli view` server — stays free while a large snapshot
// is read (a million events: ~1.3 s of CPU, a quarter of it in one synchronous step). The
// pieces before the span layout live in shared memory (event-summary-writer.ts) and are handed
// back as they are; the layout's buffers are handed over without a copy. A large file is read
// by two of these (summary-parts.ts): one reads from the cut to the end and posts the events
// to the other, which reads up to the cut and builds the summary.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { SummaryPart } from '../format/event-summary-builder';
import { isSharedMemory } from '../format/memory-arena';
import { buildSummaryPartHere } from './summary-parts';
import { buildSummaryHere, type RestMessage, type SummarySplit, type SummaryWorkerData, type SummaryWorkerMessage } from './trace-summary';

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

/** The rest's events, from whichever comes first: the rest worker, or the host saying it failed. */
function restFrom(restPort: MessagePort, host: NonNullable<typeof parentPort>): SummarySplit['rest'] {
  // Listening from the start: a message that came before the build asked would be missed.
  const rest = new Promise<SummaryPart | undefined>((resolve) => {
    const settle = (message: RestMessage) => {
      resolve(message.rest);
      restPort.close();
    };
    restPort.once('message', settle);
    host.once('message', settle);
  });
  return () => rest;
}

function buildSummary(port: NonNullable<typeof parentPort>, data: SummaryWorkerData): void {
  let columnCount = 0;
  // The pieces before the span layout go first, so the host can send them while the layout is
  // computed; then only the layout's pieces.
  const send = (message: SummaryWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const split = data.cutAt !== undefined && data.restPort ? { at: data.cutAt, rest: restFrom(data.restPort, port) } : undefined;
  void buildSummaryHere(data.tracePath, (columns, twoParts) => {
    columnCount = columns.length;
    send({ columns: columns.map(postable), twoParts });
  }, (memoryAhead) => send({ memoryAhead }), split).then((outcome) => {
    if (!('summary' in outcome)) return send({ outcome });
    const spans = outcome.summary.pieces.slice(columnCount);
    send({ outcome: { summary: { ...outcome.summary, pieces: spans } } }, transferables(spans));
  });
}

/** Reads the file from the cut to its end and posts the events (columns in shared memory: not copied). */
function buildRest(restPort: MessagePort, data: SummaryWorkerData): void {
  void buildSummaryPartHere(data.tracePath, data.cutAt ?? 0).then((rest) => {
    restPort.postMessage({ rest } satisfies RestMessage);
    restPort.close();
  });
}

const data = workerData as SummaryWorkerData | undefined;
if (parentPort && typeof data?.tracePath === 'string') {
  if (data.role === 'rest' && data.restPort && typeof data.cutAt === 'number') buildRest(data.restPort, data);
  else buildSummary(parentPort, data);
}
