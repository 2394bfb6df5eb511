// A snapshot's inline-trace items, read off the extension host's thread. The inline trace
// follows the active timeline tab and reads the whole snapshot to place its annotations: a
// JSON parse of the file and a model of its events, ~5 s for a 130 MB snapshot, which on the
// extension host — the thread every extension shares — froze them all that long (and held up
// the timeline's own progress reports). A worker thread (dist/inline-worker.js) does it; the
// extension's thread only receives the items. Without the worker bundle (running from source)
// or when it cannot start, the items are made here, as before.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { parseTraceText } from '../../format/read';
import { buildInlineModel, type InlineItem } from './inline-model';

/** What a snapshot gives the inline trace: its items, and the recorded process's cwd (for relative paths). */
export interface InlineItemsOfFile {
  items: InlineItem[];
  cwd: string | undefined;
}

/** What the worker posts: the items, or why there are none. */
export type InlineWorkerMessage = { ok: InlineItemsOfFile } | { error: string };

const WORKER_SCRIPT = join(__dirname, 'inline-worker.js');

/** The items of the snapshot `file` (its text parsed and modelled); throws with a sentence why not. */
export async function inlineItemsHere(file: string): Promise<InlineItemsOfFile> {
  const parsed = parseTraceText(await fs.readFile(file, 'utf8'), file);
  if ('error' in parsed) throw new Error(parsed.error);
  const cwd = parsed.trace.metadata?.cwd;
  return { items: buildInlineModel(parsed.trace).items, cwd: typeof cwd === 'string' ? cwd : undefined };
}

/** As inlineItemsHere, on a worker thread when the worker bundle is there. */
export async function inlineItemsOf(file: string): Promise<InlineItemsOfFile> {
  if (!existsSync(WORKER_SCRIPT)) return inlineItemsHere(file);
  const threads = await import('node:worker_threads');
  let worker: InstanceType<typeof threads.Worker>;
  try {
    worker = new threads.Worker(WORKER_SCRIPT, { workerData: { file } });
  } catch {
    return inlineItemsHere(file);
  }
  return new Promise<InlineItemsOfFile>((resolve, reject) => {
    let settled = false;
    worker.once('message', (message: InlineWorkerMessage) => {
      settled = true;
      if ('ok' in message) resolve(message.ok);
      else reject(new Error(message.error));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the inline trace's worker stopped (exit code ${code}) before it read ${file}`));
      settled = true;
    });
  });
}
