// The snapshot file is Chrome Trace Event Format JSON, so Perfetto, chrome://tracing and
// DevTools open it too. This file names every phase, category and event name we write;
// docs/trace-format.md is the prose reference and the validator checks both agree.

/** Trace event phases we read and write (Chrome Trace Event Format). */
export type Phase =
  | 'X' // complete event: ts + dur
  | 'B' // duration begin (synchronous, same thread)
  | 'E' // duration end
  | 'b' // async (nestable) begin, matched by cat + id
  | 'e' // async (nestable) end
  | 'n' // async (nestable) instant
  | 'i' // instant
  | 'I' // instant (legacy spelling)
  | 'C' // counter: every numeric arg is a series
  | 'M' // metadata (process_name, thread_name, ...)
  | 'P' // sample (we use it for Profile / ProfileChunk, as DevTools does)
  | 's' // flow start
  | 't' // flow step
  | 'f' // flow end
  | 'N' // object created
  | 'O' // object snapshot
  | 'D' // object destroyed
  | 'R'; // mark (navigation timing)

export const PHASES: readonly Phase[] = ['X', 'B', 'E', 'b', 'e', 'n', 'i', 'I', 'C', 'M', 'P', 's', 't', 'f', 'N', 'O', 'D', 'R'];

/** One trace event. `ts` and `dur` are microseconds on the recorder's monotonic clock. */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph: Phase;
  /** µs; the recorder uses the monotonic clock V8's CPU profiler uses, so Profile samples line up. */
  ts: number;
  /** µs, complete events only. */
  dur?: number;
  /** CPU time of a complete event, µs (optional). */
  tdur?: number;
  pid: number;
  tid: number;
  /** Async and flow events: the id that pairs begin and end. */
  id?: string | number;
  /** Instant scope: g(lobal), p(rocess), t(hread). */
  s?: 'g' | 'p' | 't';
  /** Flow end binding point: 'e' binds to the enclosing slice. */
  bp?: 'e';
  args?: Record<string, unknown>;
}

/** Categories the recorder writes. Other traces may carry any category. */
export const CATEGORIES = [
  'http.server',
  'http.client',
  'net',
  'gc',
  'eventloop',
  'memory',
  'cpu',
  'console',
  'error',
  'user',
  'process',
  'worker',
  'child_process',
  'async',
  'fs',
  'trigger',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * Event names with a fixed meaning. Spans whose name carries data (an HTTP request is named
 * `GET /hello`) are identified by category instead; see docs/trace-format.md.
 */
export const EventNames = {
  /** eventloop, X: the thread (main or a worker) did not return to its loop for `dur` µs. args: LoopBlockArgs */
  loopBlock: 'Event loop blocked',
  /** eventloop, C: loop delay percentiles over the last interval. args: LoopDelayArgs */
  loopDelay: 'Event loop delay',
  /** eventloop, C: event-loop utilisation over the last interval. args: { utilization } */
  loopUtilization: 'Event loop utilization',
  /** memory, C: process memory. args: MemoryArgs */
  memory: 'Memory',
  /** gc, X: one garbage collection. name is `GC (<kind>)`; args: GcArgs */
  gcPrefix: 'GC',
  /** cpu, P: DevTools CPU profile header / chunks. */
  profile: 'Profile',
  profileChunk: 'ProfileChunk',
  /** trigger, i: the moment a snapshot was asked for. args: TriggerArgs */
  trigger: 'Snapshot trigger',
  /** trigger, i: where the main thread was when it did not answer. args: { frames: StackFrame[] } */
  mainThreadStuck: 'Main thread stuck',
  /**
   * trigger, i: the main thread answered the snapshot request late (or not at all) but no
   * program JavaScript was running when probed: idle on a loaded machine, or blocked in native
   * code. args: { waitedMs: number, answered: boolean, detail: string }
   */
  mainThreadSlow: 'Main thread slow to answer',
  /** error, i */
  uncaughtException: 'Uncaught exception',
  unhandledRejection: 'Unhandled rejection',
  warning: 'Warning',
  /** process, i */
  processStart: 'Process start',
  processExit: 'Process exit',
  /** M metadata names (Chrome Trace Event Format). */
  processName: 'process_name',
  threadName: 'thread_name',
  threadSortIndex: 'thread_sort_index',
} as const;

/** args of `Event loop blocked`. */
export interface LoopBlockArgs {
  /** The threshold the block exceeded, ms. */
  thresholdMs: number;
  /**
   * Where the thread was, when known: its stack as the watchdog's probe found it during the
   * block (`loopBlockStacks`; the main thread's or a worker's), or where a stuck thread was.
   */
  frames?: import('./stack').StackFrame[];
  /** The frames were taken this far into the block, ms (a probe during a finished block). */
  framesAtMs?: number;
  /**
   * Still under way when the snapshot was taken (a stuck main thread or worker): the slice ends where the
   * watchdog last saw it blocked and starts where its tick fell due (the block may have begun up
   * to one tick, ≤ 100 ms, before).
   */
  ongoing?: boolean;
}

/** args of the `Event loop delay` counter, milliseconds. */
export interface LoopDelayArgs {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** args of the `Memory` counter, MiB. */
export interface MemoryArgs {
  heapUsedMB: number;
  heapTotalMB: number;
  rssMB: number;
  externalMB: number;
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb' | 'unknown';
export interface GcArgs {
  kind: GcKind;
  /** V8's used heap before and after the collection, MB (when it traced them: the main thread's collections). */
  heapBeforeMB?: number;
  heapAfterMB?: number;
}

/** args of HTTP spans (`http.server`, `http.client`): begin carries the request, end the outcome. */
export interface HttpBeginArgs {
  method: string;
  /** Path and query with secrets redacted (`?token=***`); client spans carry origin too. */
  url: string;
  /** 'http' | 'https' | 'fetch' (client) */
  api?: string;
  /** The route template when a framework told us (`/users/:id`). */
  route?: string;
  remoteAddress?: string;
  /** Request headers, redacted by default. */
  headers?: Record<string, string>;
}
export interface HttpEndArgs {
  status?: number;
  error?: string;
  /** Response body bytes, when known. */
  bytes?: number;
}

export interface TriggerArgs {
  reason: string;
  /** Which rule fired (`slowRequestMs`, `loopBlockMs`, ...), absent for manual snapshots. */
  rule?: string;
  /** The measured value that crossed the rule's threshold, and the threshold. */
  value?: number;
  threshold?: number;
  /** The breakpoint or snapshot point location that asked, `file:line`. */
  location?: string;
}
