// A CPU profile window as trace events: V8's profile object (as the inspector gives it when a
// profile ends) cut to a snapshot's time range, written as a DevTools `Profile` +
// `ProfileChunk` pair. The profiler's windows are kept as JSON text (sources/cpu-profile.ts)
// and turned into events by the thread that writes the snapshot — the watchdog, nearly always:
// text goes to it as one copy, where the events' object graph (thousands of nodes and call
// frames) took the main thread 2–14 ms to clone, and cutting the windows another 2–8 ms
// (docs/benchmarks.md).
import { EventNames, type TraceEvent } from '../../format/trace-event';
import type { SnapshotProfiles } from '../contracts';

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
  for (const node of profile.nodes) {
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

/** The windows' events, each window cut to the range; a window whose text does not read is left out. */
export function profileWindowEvents(profiles: SnapshotProfiles, pid: number): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const { serial, json } of profiles.windows) {
    let profile: V8Profile;
    try {
      profile = JSON.parse(json) as V8Profile;
    } catch {
      continue;
    }
    if (!profile || !Array.isArray(profile.nodes)) continue;
    events.push(...profileEvents(profile, `0x${(pid * 1000 + serial).toString(16)}`, profiles.startUs, profiles.endUs, pid, profiles.tid));
  }
  return events;
}
