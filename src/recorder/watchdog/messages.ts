// Messages between the recording thread (main) and the watchdog thread.
import type { SnapshotTrigger } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import type { SnapshotProfiles } from '../contracts';
import type { ResolvedOptions } from '../config';
import type { LoopProbe } from '../snapshot/build';
import type { ProcessFacts } from '../snapshot/facts';

/** workerData marker: this dist/recorder.js instance is the watchdog, not a preload. */
export const WATCHDOG_MARKER = 'node-flight-recorder.watchdog';

export type Trigger = SnapshotTrigger & { error?: { name: string; message: string; stack: string } };

export interface WatchdogData {
  [WATCHDOG_MARKER]: true;
  ring: SharedArrayBuffer;
  options: ResolvedOptions;
  facts: ProcessFacts;
  /** Registry directory, or null when the control channel could not be set up. */
  registryDir: string | null;
}

/** main → watchdog */
export type ToWatchdog =
  /**
   * `written`: one Int32 the watchdog sets to 1 once the file is in place, before it says so
   * (snapshotDone) — a process exiting before that message arrives then does not write the
   * snapshot a second time (runtime.ts: flushPendingSnapshots).
   */
  | { type: 'snapshot'; requestId: number; trigger: Trigger; out: string; written: SharedArrayBuffer }
  /**
   * `mainThreadUs`: how long the main thread's answer took (its whole share of a snapshot). A
   * block it wrote on answering (one its tick had not reported) is found by the watchdog: the
   * ring holds more records than when it copied it.
   */
  | { type: 'copied'; requestId: number; extraEvents: TraceEvent[]; profiles?: SnapshotProfiles; mainThreadUs: number }
  | { type: 'armed'; requestId: number; ok: boolean; error?: string; removed?: boolean }
  | { type: 'live'; metrics: Record<string, number> }
  /** The main thread recorded an event-loop block: probe the next ones (loop-probe.ts). */
  | { type: 'loopBlocked' }
  /** Work is under way on the main thread (its loop works, or a request arrived): look for a block, more slowly (loop-probe.ts), for a while. */
  | { type: 'loopActive' };

/**
 * The `claim` buffer of a copy request (the watchdog copies the ring itself; the main thread
 * answers with its sources' snapshot-time events, proving it is not stuck): Int32 [0] = who
 * settled it (0 nobody yet, 1 the main thread answered, 2 the watchdog gave up waiting);
 * Float64 [1] = when the main thread handled the request (trace µs, 0 = not yet), which tells
 * a stuck main thread from one that was merely slow to answer.
 */
export const CLAIM_BYTES = 16;
export const CLAIM_I32_OWNER = 0;
export const CLAIM_F64_ANSWERED_US = 1;

/** watchdog → main */
export type FromWatchdog =
  | { type: 'copy'; requestId: number; claim: SharedArrayBuffer }
  | { type: 'snapshotDone'; requestId: number; path?: string; bytes?: number; events?: number; error?: string; code?: string }
  | { type: 'arm'; requestId: number; url: string; lineNumber: number; columnNumber?: number }
  | { type: 'disarm'; requestId: number; url: string; lineNumber: number }
  | { type: 'ready'; socket: string | null; error?: string }
  | { type: 'snapshotWritten'; path: string; source: string }
  /** Where the main thread was during an event-loop block (for the snapshots it writes itself, at exit). */
  | { type: 'loopProbe'; probe: LoopProbe };
