// Entry of dist/inline-worker.js: reads one snapshot for the inline trace on a worker thread
// (inline-items.ts) and posts its items back. Never touches vscode.
import { parentPort, workerData } from 'node:worker_threads';
import { inlineItemsHere, type InlineWorkerMessage } from './inline-items';

const file = (workerData as { file?: unknown } | undefined)?.file;
if (parentPort && typeof file === 'string') {
  const port = parentPort;
  inlineItemsHere(file).then(
    (ok) => port.postMessage({ ok } satisfies InlineWorkerMessage),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies InlineWorkerMessage),
  );
}
