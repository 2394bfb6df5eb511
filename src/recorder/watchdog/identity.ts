// The watchdog is a worker thread of the program's process; sources that record worker
// threads use `isRecorderWorker` to leave it out (it is the recorder, not the program). The
// `worker_threads` diagnostics channel fires inside the Worker constructor, before the core
// knows the new thread's id, hence the "being constructed" flag.
let watchdogThreadId = -1;
let constructing = false;

export function markWatchdogConstruction(active: boolean): void {
  constructing = active;
}

export function setWatchdogThreadId(threadId: number): void {
  watchdogThreadId = threadId;
}

/** True for the recorder's own watchdog thread (pass the Worker, or its threadId). */
export function isRecorderWorker(worker: { threadId: number } | number): boolean {
  const threadId = typeof worker === 'number' ? worker : worker.threadId;
  return constructing || (threadId >= 0 && threadId === watchdogThreadId);
}
