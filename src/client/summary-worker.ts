// Entry of dist/summary-worker.js: builds one file's event summary on a worker thread
// (trace-summary.ts, buildSummary) so the host's own thread — the VS Code extension host,
// which every extension shares, or the `cli view` server — stays free while a large snapshot
// is read (a million events: ~1.6 s of CPU, half a second of it in one synchronous step). The
// summary's buffers are handed back without a copy.
import { parentPort, workerData } from 'node:worker_threads';
import { buildSummaryHere, type SummaryOutcome } from './trace-summary';

function transferables(outcome: SummaryOutcome): ArrayBuffer[] {
  if (!('summary' in outcome)) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const piece of outcome.summary.pieces) if (piece.buffer instanceof ArrayBuffer) buffers.add(piece.buffer);
  return [...buffers];
}

const tracePath = (workerData as { tracePath?: unknown } | undefined)?.tracePath;
if (parentPort && typeof tracePath === 'string') {
  const port = parentPort;
  void buildSummaryHere(tracePath).then((outcome) => port.postMessage(outcome, transferables(outcome)));
}
