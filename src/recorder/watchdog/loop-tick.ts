// Is the main thread's event loop blocked right now, and since when? Its event-loop tick notes
// in the ring's header when the next tick falls due (sources/event-loop.ts). A tick overdue
// means the loop has not come back to its timers since that time: a loop that still turns runs
// its tick every 50–100 ms, late by a few ms, tens on a loaded machine, never LOOP_OVERDUE_MS.
import { H_LOOP_TICK_DUE_US } from '../ring/layout';

/** Overdue by this much, the tick is not merely late: the loop is blocked. */
export const LOOP_OVERDUE_MS = 200;

/** When the main thread's tick falls due (trace µs), or 0 when unknown (no event-loop source). */
export function loopTickDueUs(header: Float64Array): number {
  return header[H_LOOP_TICK_DUE_US] ?? 0;
}

/** Whether, at `nowUs`, the loop whose tick fell due at `dueUs` is blocked. */
export function loopBlockedAt(dueUs: number, nowUs: number): boolean {
  return dueUs > 0 && nowUs - dueUs >= LOOP_OVERDUE_MS * 1000;
}
