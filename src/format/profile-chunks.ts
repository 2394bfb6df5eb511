// CPU samples in a trace (DevTools' `Profile` + `ProfileChunk` events), gathered per profile:
// its nodes by id and its samples with their time deltas. The CLI summary's hot functions and
// the editor's hot lines both read samples this way.
import { EventNames, type TraceEvent } from './trace-event';
import { isJsonObject } from './json-object';

type Json = Record<string, unknown>;

/** V8's pseudo-frames that are not the program's own code. */
export const NON_CODE_FRAMES: ReadonlySet<string> = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

export interface GatheredProfile {
  pid: number;
  tid: number;
  /** µs on the trace clock: the `Profile` event's `startTime` (else the first event's ts). */
  startTime: number;
  nodes: Map<number, Json>;
  samples: number[];
  /** µs; the first relative to `startTime`, each next one to the previous sample. */
  deltas: number[];
}

/** Collects Profile/ProfileChunk events (any other event is ignored) by (pid, profile id). */
export class ProfileChunks {
  readonly profiles = new Map<string, GatheredProfile>();

  add(event: TraceEvent): void {
    if (event.name !== EventNames.profile && event.name !== EventNames.profileChunk) return;
    const data = isJsonObject(event.args) && isJsonObject(event.args.data) ? event.args.data : undefined;
    if (!data) return;
    const key = `${event.pid}\u0000${String(event.id)}`;
    let profile = this.profiles.get(key);
    if (!profile) this.profiles.set(key, (profile = { pid: event.pid, tid: event.tid, startTime: event.ts, nodes: new Map(), samples: [], deltas: [] }));
    if (event.name === EventNames.profile) {
      if (typeof data.startTime === 'number' && Number.isFinite(data.startTime)) profile.startTime = data.startTime;
      return;
    }
    const cpu = isJsonObject(data.cpuProfile) ? data.cpuProfile : undefined;
    if (cpu && Array.isArray(cpu.nodes)) for (const node of cpu.nodes) if (isJsonObject(node) && typeof node.id === 'number') profile.nodes.set(node.id, node);
    const samples = cpu && Array.isArray(cpu.samples) ? cpu.samples : [];
    const deltas = Array.isArray(data.timeDeltas) ? data.timeDeltas : [];
    if (samples.length !== deltas.length) return;
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i];
      const delta = deltas[i];
      if (typeof id !== 'number' || typeof delta !== 'number' || !Number.isFinite(delta)) continue;
      profile.samples.push(id);
      profile.deltas.push(delta);
    }
  }
}

/** The time sample `i` stands for: the gap to the next sample (DevTools' rule); the last one gets the previous gap. */
export function sampleDurationUs(deltas: readonly number[], i: number): number {
  const next = i + 1 < deltas.length ? deltas[i + 1]! : i > 0 ? deltas[i]! : 0;
  return Math.max(0, next);
}
