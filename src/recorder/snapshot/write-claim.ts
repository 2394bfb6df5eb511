// One snapshot request, two possible writers. The watchdog writes it, normally. The main
// thread writes it at exit if the watchdog has not: the watchdog dies with the process. Both
// may be under way at once — the watchdog still encoding when the program exits — so the
// request carries a shared word that decides, at the one moment that matters (the rename of a
// complete file into place), which of them publishes it: never both (a second file of the
// same moment, as a loaded machine wrote at exit), never neither.

const PENDING = 0;
/** The watchdog is renaming its file into place: the main thread waits for it, briefly. */
const PUBLISHING = 1;
const WRITTEN = 2;
/** The main thread writes it at exit: the watchdog's file, if it completes one, is thrown away. */
const WRITTEN_AT_EXIT = 3;

/** A rename is one system call; past this, the main thread stops waiting for it at exit. */
const PUBLISH_WAIT_MS = 2000;

/** Asked by the file writer around the rename of a complete file into place. */
export interface PublishGate {
  /** May the file be renamed into place? If not, it is deleted: another writer has it. */
  claim(): boolean;
  published(): void;
  /** The rename failed: the request is open again, for the main thread at exit. */
  failed(): void;
}

export function newWriteClaim(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** The watchdog's side of a request's claim. */
export function watchdogGate(claim: Int32Array): PublishGate {
  const settle = (state: number) => {
    Atomics.store(claim, 0, state);
    Atomics.notify(claim, 0);
  };
  return {
    claim: () => Atomics.compareExchange(claim, 0, PENDING, PUBLISHING) === PENDING,
    published: () => settle(WRITTEN),
    failed: () => settle(PENDING),
  };
}

/**
 * The main thread at exit: must it write this request itself? Not if the watchdog has written
 * it, nor while the watchdog renames its file into place (waited for: the process must not
 * end between the watchdog's claim and its rename; if that rename fails, the request is ours).
 */
export function claimAtExit(claim: Int32Array): boolean {
  for (;;) {
    const before = Atomics.compareExchange(claim, 0, PENDING, WRITTEN_AT_EXIT);
    if (before === PENDING) return true;
    if (before !== PUBLISHING) return false;
    if (Atomics.wait(claim, 0, PUBLISHING, PUBLISH_WAIT_MS) === 'timed-out') return false;
  }
}
