// Node built-ins the recorder needs only sometimes, loaded on first use. A preloaded recorder
// runs before every program, so what it loads at start-up is paid by every `node` command:
// `node:worker_threads` alone costs ~5 ms on the main thread (it pulls in the streams stack),
// `node:net` ~6 ms, `node:inspector` ~4 ms, `node:os` ~1 ms, while a short program never
// starts the watchdog, the control socket or a probe. Types come from `import type` (erased),
// the module itself from `process.getBuiltinModule` (Node ≥ 20.16) or this module's require.
import type * as WorkerThreads from 'node:worker_threads';
import type * as Inspector from 'node:inspector';
import type * as Net from 'node:net';
import type * as Os from 'node:os';

function load<T>(id: string): T {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltin === 'function') {
    const found = getBuiltin(id);
    if (found) return found as T;
  }
  return module.require(id) as T;
}

export const workerThreads = (): typeof WorkerThreads => load<typeof WorkerThreads>('node:worker_threads');
export const inspector = (): typeof Inspector => load<typeof Inspector>('node:inspector');
export const net = (): typeof Net => load<typeof Net>('node:net');
export const os = (): typeof Os => load<typeof Os>('node:os');

/**
 * Is this the process's main thread? Answered without loading `node:worker_threads` there:
 * Node's worker bootstrap loads that module (and replaces `process.abort` with a function
 * named `unavailableInWorker`) before any preload runs, so a thread where the module is not
 * loaded yet and `process.abort` is Node's own is the main thread. When the signs are not
 * conclusive (another Node, or a preload before us loaded the module) the module answers.
 */
export function isMainThreadCheap(): boolean {
  try {
    const abortName = typeof process.abort === 'function' ? process.abort.name : '';
    if (abortName === 'unavailableInWorker') return false;
    const loaded = (process as { moduleLoadList?: unknown }).moduleLoadList;
    if (abortName === 'abort' && Array.isArray(loaded) && loaded.length > 0 && !loaded.includes('NativeModule worker_threads')) return true;
  } catch {}
  return workerThreads().isMainThread;
}
