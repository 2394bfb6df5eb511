// What a snapshot taken at a stop says about that stop: when it happened on the trace clock and
// which HTTP request (if any) the program was serving. Pure: unit-tested.
import type { Snapshot } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';

export interface StopContext {
  /** µs on the trace clock: the trigger's time, else the window's end. */
  ts: number;
  /** The server request open at `ts` that began last (the stop is inside it), e.g. `GET /users/3`. */
  request?: { name: string; beganTs: number; id: string | number };
}

/**
 * Open `http.server` async spans at `ts`: begun at or before it and not ended before it. When
 * several are open (concurrent requests) the one that began last is the likeliest to hold the
 * stop. Without a begin/end on the same thread we cannot do better than that guess.
 */
export function currentRequest(events: readonly TraceEvent[], ts: number): StopContext['request'] {
  const open = new Map<string, TraceEvent>();
  for (const event of events) {
    if (event.cat !== 'http.server' || event.id === undefined || event.ts > ts) continue;
    const key = String(event.id);
    if (event.ph === 'b') open.set(key, event);
    else if (event.ph === 'e' && event.ts < ts) open.delete(key);
  }
  let best: TraceEvent | undefined;
  for (const begin of open.values()) if (!best || begin.ts >= best.ts) best = begin;
  return best ? { name: best.name, beganTs: best.ts, id: best.id as string | number } : undefined;
}

export function stopContext(snapshot: Pick<Snapshot, 'traceEvents' | 'metadata'>): StopContext {
  const metadata = snapshot.metadata;
  const ts = typeof metadata?.trigger?.ts === 'number' ? metadata.trigger.ts : (metadata?.window?.endTs ?? 0);
  const request = currentRequest(snapshot.traceEvents ?? [], ts);
  return request ? { ts, request } : { ts };
}

/** The mark's label in the timeline: where it stopped, and inside which request. */
export function stopLabel(location: string, context: StopContext): string {
  const file = location.replace(/^.*[\\/]/, '');
  return context.request ? `Stopped at ${file} · in ${context.request.name}` : `Stopped at ${file}`;
}
