// The watchdog thread runs below the program's priority (Linux: nice +10 for this thread
// only). Encoding a snapshot takes a few hundred ms of CPU; at equal priority it competes with
// the program's main thread for a core and shows up as a stall of the program. Below it, the
// encoding takes what the program leaves over, and the program never waits for it.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export const WATCHDOG_NICE = 10;

/** Lowers the calling thread's priority; returns the thread id it applied to, or 0 when it could not. */
export function lowerThisThreadsPriority(nice = WATCHDOG_NICE): number {
  try {
    // `/proc/thread-self` → `<pid>/task/<tid>`: this thread's own id, which setpriority() takes
    // on Linux to change one thread rather than the whole process.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!(tid > 0) || tid === process.pid) return 0;
    setPriority(tid, nice);
    return tid;
  } catch {
    return 0; // not Linux, or not allowed: run at the program's priority
  }
}
