// The snapshot file: { traceEvents, metadata }. `metadata.format` tells our files apart from
// other Chrome traces; `version` changes only when a reader would misread an older file.
import type { TraceEvent, TriggerArgs } from './trace-event';

export const SNAPSHOT_FORMAT = 'node-flight-recorder';
export const SNAPSHOT_VERSION = 1;
/** Snapshot file names end with this; the VS Code custom editor matches it. */
export const SNAPSHOT_EXTENSION = '.nodetrace.json';

export interface SnapshotTrigger extends TriggerArgs {
  /** µs on the trace clock. */
  ts: number;
  /** What asked: `control` (CLI/extension), `api`, `signal`, `rule`, `uncaughtException`, `unhandledRejection`, `exit`, `breakpoint`, `snapshotPoint`, `watchdog`. */
  source: string;
}

export interface SnapshotMetadata {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  pid: number;
  ppid?: number;
  /** Process title or script name; used in the file name. */
  programName: string;
  /** argv with secrets redacted. */
  argv: string[];
  execArgv?: string[];
  nodeVersion: string;
  platform: string;
  arch?: string;
  cwd?: string;
  hostname?: string;
  /** ISO 8601 wall-clock time the process started. */
  startTime?: string;
  /** Maps the trace clock to wall-clock time: at trace time `ts` µs it was `epochMs`. */
  clockSync?: { ts: number; epochMs: number };
  trigger: SnapshotTrigger;
  /** The span of time the snapshot covers, µs on the trace clock. */
  window: { startTs: number; endTs: number };
  /** Events overwritten in the ring (older than the window) since recording started. */
  droppedEvents: number;
  /** Recorder internals: ring size and fill, errors swallowed inside hooks. */
  recorder?: {
    version: string;
    maxBytes: number;
    minAgeMs: number;
    usedBytes?: number;
    hookErrors?: number;
    /**
     * The watchdog's steps (copy, decode), how long the main thread was given to answer before
     * being probed (answerLimit), and the main thread's own share when it answered (mainThread).
     */
    timingsMs?: { copy: number; decode: number; answerLimit?: number; mainThread?: number };
    [key: string]: unknown;
  };
  /** The effective configuration (secrets never stored here). */
  config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Snapshot {
  traceEvents: TraceEvent[];
  metadata: SnapshotMetadata;
  displayTimeUnit?: 'ms' | 'ns';
}

/** `<program>-<pid>-<UTC time>-<reason>.nodetrace.json`, safe on every file system. */
export function snapshotFileName(programName: string, pid: number, when: Date, reason: string): string {
  const safe = (text: string, max: number) =>
    text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, max) || 'x';
  const time = when.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${safe(programName, 40)}-${pid}-${time}-${safe(reason, 40)}${SNAPSHOT_EXTENSION}`;
}
