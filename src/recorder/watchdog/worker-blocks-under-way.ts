// A worker thread stuck when a snapshot is taken: its loop has not come back, so its own tick
// has not recorded the block (it records a block only once the loop returns), and the snapshot
// would say nothing of it. The watchdog reads each running worker's tick from its ring's header
// (as the main thread's: loop-tick.ts) and adds the block under way — from the tick's due time
// to now, `ongoing` — with where the worker is now (a probe through the main thread's
// inspector: worker-probe.ts), or where the loop probe found it in this block. The probe also
// says the worker is still there: one ended by `worker.terminate()` said nothing, and its tick
// reads as blocked for good. A hung worker of a pool is a classic stall.
import { nowUs } from '../clock';
import type { LoopProbe, WorkerBlockUnderWay } from '../snapshot/build';
import type { LiveWorker } from '../threads/worker-rings';
import { evaluateOnThread, LOOP_PROBE_EXPRESSION, parseLoopProbe, type EvaluateOnThread } from './loop-probe';
import { loopBlockedAt, loopTickDueUs } from './loop-tick';
import { WORKER_GONE } from './worker-probe';

/** Stuck workers asked at a snapshot, at most (each must answer that it is still there). */
const MAX_PROBED = 8;
/** A stuck worker answers in a few ms (in JavaScript, or in Atomics.wait, which V8 interrupts); one in other native code not at all. */
const PROBE_TIMEOUT_MS = 300;

/** A block under way, and whether the worker's loop is still away (asked as the lanes are copied). */
export type FoundBlockUnderWay = WorkerBlockUnderWay & { stillAway(): boolean };

/**
 * The blocks under way of `workers` (running ones), found by their ticks overdue by
 * LOOP_OVERDUE_MS — blocked, not merely late. `probes`: the loop probe's recent finds (used
 * when the worker's answer now has no frames: busy in native code); `evaluate`: the watchdog's
 * (which notes a worker that answers WORKER_GONE as ended).
 */
export async function workerBlocksUnderWay(
  workers: readonly LiveWorker[],
  probes: readonly LoopProbe[],
  evaluate: EvaluateOnThread = evaluateOnThread,
): Promise<FoundBlockUnderWay[]> {
  const now = nowUs();
  const stuck = workers.filter((worker) => loopBlockedAt(loopTickDueUs(worker.header), now)).slice(0, MAX_PROBED);
  const found = await Promise.all(stuck.map(async (worker): Promise<FoundBlockUnderWay | undefined> => {
    const dueUs = loopTickDueUs(worker.header);
    // Asked even when the loop probe found it in this block: the answer also says the worker is
    // still there (a terminated one says nothing, and its tick reads as blocked for good).
    const askedUs = nowUs();
    const value = await evaluate(LOOP_PROBE_EXPRESSION, PROBE_TIMEOUT_MS, worker.tid);
    if (value === WORKER_GONE) return undefined;
    const answer = parseLoopProbe(value, askedUs, nowUs());
    const probed = probes.filter((probe) => probe.tid === worker.tid && probe.ts >= dueUs).at(-1);
    const where = answer && answer.frames.length > 0 ? answer : probed;
    const block: WorkerBlockUnderWay = { tid: worker.tid, startUs: dueUs, endUs: nowUs(), frames: where?.frames ?? [], ...(where ? { framesAtMs: Math.round((where.ts - dueUs) / 1000) } : {}) };
    return { ...block, stillAway: () => loopTickDueUs(worker.header) === dueUs };
  }));
  return found.filter((block) => block !== undefined);
}
