// The control channel between a recorded process and its clients (CLI, extension).
// Transport: a Unix domain socket (named pipe on Windows) listed in the per-user registry
// directory; never TCP. Framing: one JSON object per line (UTF-8, '\n'), each at most
// CONTROL_MAX_MESSAGE_BYTES; anything else is dropped and the connection closed.
import type { StackFrame } from './stack';

export const CONTROL_PROTOCOL_VERSION = 1;
export const CONTROL_MAX_MESSAGE_BYTES = 64 * 1024;

/** The JSON file `<pid>.json` each recorded process writes into the registry directory. */
export interface RegistryEntry {
  protocol: typeof CONTROL_PROTOCOL_VERSION;
  pid: number;
  ppid: number;
  /** Thread id 0 = main; the registry lists processes, workers are lanes inside them. */
  programName: string;
  argv: string[];
  cwd: string;
  nodeVersion: string;
  /** ISO time the recorder started. */
  startTime: string;
  /** Path of the control socket (or pipe name). */
  socket: string;
  /** Default output directory of this process's snapshots. */
  out: string;
  maxBytes: number;
  recorderVersion: string;
}

export type ControlRequest =
  | { id: number; type: 'status' }
  | { id: number; type: 'snapshot'; reason?: string; out?: string; source?: string; location?: string }
  | { id: number; type: 'live' }
  | { id: number; type: 'armSnapshotPoint'; url: string; lineNumber: number; columnNumber?: number }
  | { id: number; type: 'disarmSnapshotPoint'; url: string; lineNumber: number };

export interface RecorderStatus {
  pid: number;
  uptimeMs: number;
  maxBytes: number;
  usedBytes: number;
  eventCount: number;
  droppedEvents: number;
  /** Oldest event still held, ms ago. */
  windowMs: number;
  snapshotsWritten: number;
  hookErrors: number;
  /** 'recording' | 'stopped' | 'busy' (a snapshot is being written) */
  state: string;
  /**
   * The main thread's event loop has been blocked this long, ms (its tick overdue by 200 ms or
   * more, counted from when it fell due): a hung program. Absent while the loop turns.
   */
  mainLoopBlockedMs?: number;
  /**
   * Where the blocked main thread was when the watchdog last looked during this block (the
   * program's own frame), when it ran JavaScript to be looked at. Only with mainLoopBlockedMs.
   */
  mainLoopBlockedIn?: StackFrame;
}

/** About once a second: what the live view shows. */
export interface LiveMetrics {
  ts: number;
  loopDelayP99Ms: number;
  loopUtilization: number;
  heapUsedMB: number;
  rssMB: number;
  requestsPerSec: number;
  activeRequests: number;
}

export type ControlResponse =
  | { id: number; ok: true; type: 'status'; status: RecorderStatus }
  | { id: number; ok: true; type: 'snapshot'; path: string; bytes: number; events: number }
  | { id: number; ok: true; type: 'live'; metrics: LiveMetrics }
  | { id: number; ok: true; type: 'armed' | 'disarmed' }
  | { id: number; ok: false; error: string; code?: 'busy' | 'bad-request' | 'io' | 'internal' };
