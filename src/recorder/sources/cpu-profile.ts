// Opt-in CPU sampling (cpuSamplingIntervalUs > 0) with V8's profiler through an in-process
// inspector session. The profiler runs continuously; every WINDOW_MS it is stopped and
// restarted, and the finished window's profile is kept. Windows older than the retention
// (minAgeMs + one window) are dropped, and so are the oldest when the kept windows' estimated
// size passes MAX_BYTES: CPU stacks never hold more than MAX_BYTES (4 MiB) of recorder memory.
// At snapshot time the running window is stopped too (so the stacks reach the trigger), and
// every window overlapping the snapshot is written as a DevTools `Profile` + `ProfileChunk`
// pair. V8's profile timestamps are µs on the same monotonic clock as the trace (uv_hrtime),
// so samples line up with the other events without conversion.
//
// Cost: the sampling itself (see docs/benchmarks.md; ~3 % at 10 ms, ~9 % at 1 ms on an HTTP
// server per DESIGN.md), plus one Profiler.stop (2–12 ms on the main thread) per window.
import { Session } from 'node:inspector';
import { EventNames, type TraceEvent } from '../../format/trace-event';
import type { EventSource, SourceContext } from '../contracts';

const WINDOW_MS = 5000;
export const MAX_BYTES = 4 * 1024 * 1024;
// Estimated bytes of a profile held in memory: a node (object, call frame, strings shared
// with the script) ~200 bytes; a sample id + a time delta in packed arrays ~16 bytes.
const NODE_BYTES = 200;
const SAMPLE_BYTES = 16;

interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
/** Ticks per source line inside a node's function (V8 records them: the hot line, not just the function). */
interface PositionTick {
  line: number;
  ticks: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: PositionTick[];
}
export interface V8Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export function estimateProfileBytes(profile: V8Profile): number {
  return profile.nodes.length * NODE_BYTES + (profile.samples?.length ?? 0) * SAMPLE_BYTES;
}

/**
 * One kept window as DevTools trace events (`Profile`, then one `ProfileChunk`), limited to
 * the samples within [startUs, endUs], with only the nodes those samples reach (and their
 * ancestors). Returns [] when no sample falls in the range.
 */
export function profileEvents(profile: V8Profile, profileId: string, startUs: number, endUs: number, pid: number, tid: number): TraceEvent[] {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const keptSamples: number[] = [];
  const keptDeltas: number[] = [];
  // The profile starts at the window's start when it began earlier, so every event stays in it.
  const baseUs = Math.max(profile.startTime, startUs);
  let timeUs = profile.startTime;
  let previousKeptUs = baseUs;
  for (let i = 0; i < samples.length; i++) {
    timeUs += deltas[i] ?? 0;
    if (timeUs < startUs || timeUs > endUs) continue;
    keptSamples.push(samples[i] ?? 0);
    keptDeltas.push(timeUs - previousKeptUs);
    previousKeptUs = timeUs;
  }
  if (keptSamples.length === 0) return [];

  const parentOf = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const needed = new Set<number>();
  for (const id of keptSamples) {
    for (let at: number | undefined = id; at !== undefined && !needed.has(at); at = parentOf.get(at)) needed.add(at);
  }
  // positionTicks count the whole window's ticks, also those outside [startUs, endUs]: they
  // say which line of a function was hot, which a cut window barely changes.
  const nodes: { id: number; callFrame: CallFrame; parent?: number; positionTicks?: PositionTick[] }[] = [];
  for (const node of profile.nodes) {
    if (!needed.has(node.id)) continue;
    const parent = parentOf.get(node.id);
    const kept: { id: number; callFrame: CallFrame; parent?: number; positionTicks?: PositionTick[] } = { id: node.id, callFrame: node.callFrame };
    if (parent !== undefined) kept.parent = parent;
    if (node.positionTicks !== undefined && node.positionTicks.length > 0) kept.positionTicks = node.positionTicks;
    nodes.push(kept);
  }
  return [
    { name: EventNames.profile, cat: 'cpu', ph: 'P', ts: baseUs, pid, tid, id: profileId, args: { data: { startTime: baseUs } } },
    {
      // Stamped at the profile's start (DevTools places samples by timeDeltas, not by this ts).
      name: EventNames.profileChunk, cat: 'cpu', ph: 'P', ts: baseUs, pid, tid, id: profileId,
      args: { data: { cpuProfile: { nodes, samples: keptSamples }, timeDeltas: keptDeltas } },
    },
  ];
}

export function cpuProfileSource(intervalUs: number, minAgeMs: number): EventSource & { heldBytes(): number } {
  const windows: { profile: V8Profile; bytes: number; serial: number }[] = [];
  let heldBytes = 0;
  let serial = 0;
  let session: Session | undefined;
  let rotateNow: () => void = () => {};

  return {
    name: 'cpu-profile',
    heldBytes: () => heldBytes,
    install(context: SourceContext) {
      const activeSession = new Session();
      session = activeSession;
      activeSession.connect();
      // An in-process session answers synchronously: each post's callback has run on return.
      const post = (method: string, params?: object): unknown => {
        let result: unknown;
        activeSession.post(method, params ?? {}, (error: Error | null, answer?: unknown) => {
          if (error) throw error;
          result = answer;
        });
        return result;
      };
      post('Profiler.enable');
      post('Profiler.setSamplingInterval', { interval: Math.max(50, Math.round(intervalUs)) });
      post('Profiler.start');

      const keep = (profile: V8Profile) => {
        const bytes = estimateProfileBytes(profile);
        windows.push({ profile, bytes, serial: ++serial });
        heldBytes += bytes;
        const oldestUs = profile.endTime - (minAgeMs + WINDOW_MS) * 1000;
        while (windows.length > 0 && (heldBytes > MAX_BYTES || (windows[0]?.profile.endTime ?? 0) < oldestUs)) {
          heldBytes -= windows.shift()?.bytes ?? 0;
        }
      };
      rotateNow = context.guard('cpu-profile rotate', () => {
        const answer = post('Profiler.stop') as { profile?: V8Profile } | undefined;
        post('Profiler.start');
        if (answer?.profile) keep(answer.profile);
      });
      const timer = setInterval(rotateNow, WINDOW_MS);
      timer.unref();
      return () => {
        clearInterval(timer);
        rotateNow = () => {};
        try {
          post('Profiler.stop');
          post('Profiler.disable');
        } catch {}
        activeSession.disconnect();
        session = undefined;
        windows.length = 0;
        heldBytes = 0;
      };
    },
    snapshotEvents(startUs: number, endUs: number, pid: number, tid: number): TraceEvent[] {
      if (session === undefined) return [];
      rotateNow();
      const events: TraceEvent[] = [];
      for (const { profile, serial: id } of windows) {
        if (profile.endTime < startUs || profile.startTime > endUs) continue;
        events.push(...profileEvents(profile, `0x${(pid * 1000 + id).toString(16)}`, startUs, endUs, pid, tid));
      }
      return events;
    },
  };
}
