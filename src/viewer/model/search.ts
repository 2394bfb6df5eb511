// Search: which spans and instants match a query. Case-insensitive substring of the name, or
// of a few identifying args (URL, route, message), so "/users" finds requests by path.
import type { TimelineModel } from './model';
import { isRecord } from './load';

export interface SearchResult {
  query: string;
  /** 1 where the span matches. */
  spanMatch: Uint8Array;
  /** 1 where the event (instant) matches. */
  eventMatch: Uint8Array;
  /** Matching spans in time order, then matching instants (event indices). */
  spans: number[];
  instants: number[];
}

const ARG_KEYS = ['url', 'route', 'message', 'text', 'method'];

export function search(model: TimelineModel, query: string): SearchResult | undefined {
  const needle = query.trim().toLowerCase();
  if (needle === '') return undefined;
  const spanMatch = new Uint8Array(model.spans.count);
  const eventMatch = new Uint8Array(model.events.length);
  const spans: number[] = [];
  const instants: number[] = [];
  const matches = (name: string, args: Record<string, unknown> | undefined, cat: string | undefined) => {
    if (name.toLowerCase().includes(needle)) return true;
    if (cat && cat.toLowerCase() === needle) return true;
    if (!isRecord(args)) return false;
    for (const key of ARG_KEYS) {
      const value = args[key];
      if (typeof value === 'string' && value.toLowerCase().includes(needle)) return true;
    }
    return false;
  };
  for (let k = 0; k < model.spans.count; k++) {
    const event = model.events[model.spans.event[k]!]!;
    if (matches(event.name, event.args, event.cat)) {
      spanMatch[k] = 1;
      spans.push(k);
    }
  }
  for (const track of model.tracks) {
    if (track.kind !== 'instants') continue;
    for (let i = 0; i < track.count; i++) {
      const event = model.events[track.ref[i]!]!;
      if (matches(event.name, event.args, event.cat)) {
        eventMatch[track.ref[i]!] = 1;
        instants.push(track.ref[i]!);
      }
    }
  }
  spans.sort((a, b) => model.spans.startUs[a]! - model.spans.startUs[b]!);
  return { query, spanMatch, eventMatch, spans, instants };
}
