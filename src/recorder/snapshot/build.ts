// Turns ring copies into a snapshot: decodes every thread's records (off the main thread, in
// the watchdog; on it only at exit), adds thread names, the trigger instant and, when the main
// thread was stuck, where it was; computes the metadata.
import type { LoopBlockArgs, TraceEvent } from '../../format/trace-event';
import { EventNames } from '../../format/trace-event';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot, type SnapshotMetadata, type SnapshotTrigger } from '../../format/snapshot';
import type { StackFrame } from '../../format/stack';
import type { DecodeContext, SnapshotProfiles } from '../contracts';
import type { ResolvedOptions } from '../config';
import { createRedactor } from '../redact';
import { HEADER_BYTES, forEachRecord, readHeader } from '../ring/index';
import { decoderFor } from '../sources-bridge';
import { profileWindowEvents } from '../sources/profile-events';
import { RECORDER_VERSION, type ProcessFacts } from './facts';

export interface ThreadCopy {
  tid: number;
  name: string;
  /** A ring copy (header + regions). */
  bytes: Uint8Array;
}

export interface SnapshotInput {
  facts: ProcessFacts;
  options: ResolvedOptions;
  trigger: SnapshotTrigger & { error?: { name: string; message: string; stack: string } };
  threads: ThreadCopy[];
  /** Events produced outside the rings (the main thread's open GC window), already in trace form. */
  extraEvents?: TraceEvent[];
  /** The main thread's CPU profile windows, to be cut to their range and written as trace events here. */
  profiles?: SnapshotProfiles;
  /** Where the main thread was when it did not answer (program JavaScript was running). */
  /**
   * blocked: the event-loop block still under way when the probe found the thread stuck (from its
   * tick's due time: it may have begun up to one tick earlier), shown as an `Event loop blocked`
   * slice the tick itself could only have written once the block ended.
   */
  stuck?: { ts: number; frames: StackFrame[]; waitedMs: number; blocked?: { startUs: number; endUs: number; thresholdMs: number }; error?: string };
  /** Where threads were during their recent event-loop blocks (watchdog/loop-probe.ts): each block gets the probe of its thread taken within it. */
  loopProbes?: readonly LoopProbe[];
  /** Worker threads whose loops had not come back when the snapshot was taken (watchdog/worker-blocks-under-way.ts). */
  workerBlocksUnderWay?: readonly WorkerBlockUnderWay[];
  /** The main thread answered late or not at all, but no program JavaScript was running. */
  slow?: { ts: number; waitedMs: number; answered: boolean; detail: string };
  clockSync: { ts: number; epochMs: number };
  hookErrors: number;
  usedBytes: number;
}

/** Where a thread was at `ts` (trace µs), as a probe during an event-loop block found it. */
export interface LoopProbe {
  ts: number;
  frames: StackFrame[];
  /** The worker thread probed (its lane's tid); absent for the main thread (tid 0). */
  tid?: number;
}

/** A worker's event-loop block still under way when the snapshot was taken (watchdog/worker-blocks-under-way.ts). */
export interface WorkerBlockUnderWay {
  tid: number;
  /** Its tick's due time: the loop has not come back since (the block may have begun up to one tick earlier). */
  startUs: number;
  /** When the watchdog last saw it blocked. */
  endUs: number;
  frames: StackFrame[];
  /** How far into the block the frames were taken, ms. */
  framesAtMs?: number;
}

export interface BuiltSnapshot {
  snapshot: Snapshot;
  decodeErrors: number;
}

export interface DecodedSnapshot {
  metadata: SnapshotMetadata;
  decodeErrors: number;
  events: number;
}

/** The whole snapshot in memory (small snapshots, tests). The recorder streams: decodeSnapshot. */
export function buildSnapshot(input: SnapshotInput): BuiltSnapshot {
  const events: TraceEvent[] = [];
  const decoded = decodeSnapshot(input, (event) => void events.push(event));
  return { snapshot: { traceEvents: events, metadata: decoded.metadata, displayTimeUnit: 'ms' }, decodeErrors: decoded.decodeErrors };
}

/**
 * Decodes every thread's ring copy and hands each event to `emit` as it is made, holding none
 * of them (a full ring decodes to hundreds of MB of objects); returns the metadata, which
 * comes last in the file, once the window is known.
 */
export function decodeSnapshot(input: SnapshotInput, emit: (event: TraceEvent) => void): DecodedSnapshot {
  const { facts, trigger } = input;
  const pid = facts.pid;
  // URLs are in the rings as they came (SourceContext.appendUrl): redacted here, as decoded.
  const redactUrl = createRedactor(input.options.redact).url;
  let decodeErrors = 0;
  let dropped = 0;
  let count = 0;
  // The window holds every event it lists: the oldest record starts it and the newest ends it,
  // but events made outside the rings (CPU profile windows, the stuck probe's instant, taken
  // after the copy) may reach further. Sources clip theirs to the ring's window start.
  let startTs = Infinity;
  let endTs = trigger.ts;
  const push = (event: TraceEvent) => {
    count++;
    if (event.ph !== 'M') {
      if (event.ts < startTs) startTs = event.ts;
      const end = event.ph === 'X' && event.dur !== undefined ? event.ts + event.dur : event.ts;
      if (end > endTs) endTs = end;
    }
    emit(event);
  };

  push({ name: EventNames.processName, ph: 'M', ts: 0, pid, tid: 0, args: { name: `${facts.programName} (${pid})` } });
  for (const thread of input.threads) {
    push({ name: EventNames.threadName, ph: 'M', ts: 0, pid, tid: thread.tid, args: { name: thread.name } });
    push({ name: EventNames.threadSortIndex, ph: 'M', ts: 0, pid, tid: thread.tid, args: { sort_index: thread.tid } });
    const probes = input.loopProbes?.filter((probe) => (probe.tid ?? 0) === thread.tid) ?? [];
    const emit = probes.length > 0 ? withProbedBlocks(push, probes) : push;
    const context: DecodeContext = { pid, tid: thread.tid, emit, redactUrl };
    const header = readHeader(thread.bytes.byteOffset === 0 ? thread.bytes.buffer : thread.bytes.slice(0, HEADER_BYTES).buffer);
    dropped += Math.max(0, header.totalRecords - header.layout.recordCapacity);
    const range = forEachRecord(thread.bytes, (record) => {
      const decode = decoderFor(record.kind);
      if (!decode) return;
      try {
        decode(record, context);
      } catch {
        decodeErrors++;
      }
    });
    if (range.oldestTsUs < startTs) startTs = range.oldestTsUs;
    if (range.newestTsUs > endTs) endTs = range.newestTsUs;
  }
  if (input.extraEvents) for (const event of input.extraEvents) push(event);
  if (input.profiles) for (const event of profileWindowEvents(input.profiles, pid)) push(event);

  const triggerArgs: Record<string, unknown> = { reason: trigger.reason, source: trigger.source };
  for (const key of ['rule', 'value', 'threshold', 'location', 'error'] as const) {
    if (trigger[key] !== undefined) triggerArgs[key] = trigger[key];
  }
  push({ name: EventNames.trigger, cat: 'trigger', ph: 'i', s: 'g', ts: trigger.ts, pid, tid: 0, args: triggerArgs });
  if (input.stuck) {
    const top = input.stuck.frames[0];
    const blocked = input.stuck.blocked;
    const blockedMs = blockedMsOf(input.stuck);
    if (blocked) {
      const args: LoopBlockArgs = { thresholdMs: blocked.thresholdMs, ongoing: true, frames: input.stuck.frames };
      push({ name: EventNames.loopBlock, cat: 'eventloop', ph: 'X', ts: blocked.startUs, dur: blocked.endUs - blocked.startUs, pid, tid: 0, args: args as unknown as Record<string, unknown> });
    }
    push({
      name: EventNames.mainThreadStuck, cat: 'trigger', ph: 'i', s: 't', ts: input.stuck.ts, pid, tid: 0,
      args: {
        frames: input.stuck.frames, waitedMs: input.stuck.waitedMs, blockedMs,
        location: top ? `${top.functionName || '(anonymous)'} ${top.url}:${top.lineNumber}` : undefined, error: input.stuck.error,
      },
    });
  }
  for (const block of input.workerBlocksUnderWay ?? []) {
    const args: LoopBlockArgs = { thresholdMs: input.options.loopBlockThresholdMs, ongoing: true, ...(block.frames.length > 0 ? { frames: block.frames } : {}), ...(block.framesAtMs !== undefined ? { framesAtMs: block.framesAtMs } : {}) };
    push({ name: EventNames.loopBlock, cat: 'eventloop', ph: 'X', ts: block.startUs, dur: block.endUs - block.startUs, pid, tid: block.tid, args: args as unknown as Record<string, unknown> });
  }
  if (input.slow) {
    push({
      name: EventNames.mainThreadSlow, cat: 'trigger', ph: 'i', s: 't', ts: input.slow.ts, pid, tid: 0,
      args: { waitedMs: input.slow.waitedMs, answered: input.slow.answered, detail: input.slow.detail },
    });
  }
  if (!Number.isFinite(startTs)) startTs = trigger.ts;

  const metadata: SnapshotMetadata = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    pid,
    ppid: facts.ppid,
    programName: facts.programName,
    argv: facts.argv,
    execArgv: facts.execArgv,
    nodeVersion: facts.nodeVersion,
    platform: facts.platform,
    arch: facts.arch,
    cwd: facts.cwd,
    hostname: facts.hostname,
    startTime: facts.startTime,
    clockSync: input.clockSync,
    trigger,
    window: { startTs: Math.floor(startTs), endTs: Math.ceil(Math.max(endTs, trigger.ts)) },
    droppedEvents: dropped,
    recorder: {
      version: RECORDER_VERSION,
      maxBytes: input.options.maxBytes,
      minAgeMs: input.options.minAgeMs,
      usedBytes: input.usedBytes,
      hookErrors: input.hookErrors,
      decodeErrors,
      threads: input.threads.map((t) => ({ tid: t.tid, name: t.name })),
    },
    config: configForMetadata(input.options),
  };
  if (input.stuck) {
    const { frames, waitedMs, error } = input.stuck;
    const blockedMs = blockedMsOf(input.stuck);
    metadata.mainThreadStuck = { frames, waitedMs, ...(blockedMs !== undefined ? { blockedMs } : {}), ...(error ? { error } : {}) };
  }
  return { metadata, decodeErrors, events: count };
}

/**
 * `emit` for one thread, with each `Event loop blocked` slice given the frames of that thread's
 * probe taken within it (the first; probes are few, ≤ 64, and blocks fewer: a scan each), and
 * how far into the block they were taken.
 */
function withProbedBlocks(emit: (event: TraceEvent) => void, probes: readonly LoopProbe[]): (event: TraceEvent) => void {
  return (event) => {
    if (event.ph === 'X' && event.cat === 'eventloop' && event.name === EventNames.loopBlock && event.dur !== undefined) {
      const args = event.args as LoopBlockArgs | undefined;
      const start = event.ts;
      const end = event.ts + event.dur;
      const probe = args?.frames === undefined ? probes.find((p) => p.ts >= start && p.ts <= end) : undefined;
      if (probe) {
        const probed: LoopBlockArgs = { ...(args ?? { thresholdMs: 0 }), frames: probe.frames, framesAtMs: Math.round((probe.ts - start) / 1000) };
        event = { ...event, args: probed as unknown as Record<string, unknown> };
      }
    }
    emit(event);
  };
}

/** How long a stuck thread's event loop had been blocked when probed, ms (the block under way), or undefined. */
function blockedMsOf(stuck: NonNullable<SnapshotInput['stuck']>): number | undefined {
  return stuck.blocked ? Math.round((stuck.blocked.endUs - stuck.blocked.startUs) / 1000) : undefined;
}

function configForMetadata(options: ResolvedOptions): Record<string, unknown> {
  return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
}
