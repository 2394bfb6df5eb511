// Search: which spans and instants match a query. Case-insensitive substring of the name, or
// of a few identifying args (URL, route, message), so "/users" finds requests by path.
import type { TimelineModel } from './model';
import type { TraceEvent } from '../../format/trace-event';
import { isRecord } from './load';
import { ScannedEvent } from './scan-event';

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
  // Scanned events are asked first whether their raw args could match, so a search does not
  // parse (and keep) the args of a million spans. Only an ASCII needle can be looked for in bytes.
  const needleBytes = /^[\x20-\x7e]+$/.test(needle) ? new TextEncoder().encode(needle) : undefined;
  const matches = (event: TraceEvent) => {
    const { name, cat } = event;
    if (name.toLowerCase().includes(needle)) return true;
    if (cat && cat.toLowerCase() === needle) return true;
    if (needleBytes && event instanceof ScannedEvent && !event.argsMayContain(needleBytes)) return false;
    const args = event.args;
    if (!isRecord(args)) return false;
    for (const key of ARG_KEYS) {
      const value = args[key];
      if (typeof value === 'string' && value.toLowerCase().includes(needle)) return true;
    }
    return false;
  };
  for (let k = 0; k < model.spans.count; k++) {
    const event = model.events[model.spans.event[k]!]!;
    if (matches(event)) {
      spanMatch[k] = 1;
      spans.push(k);
    }
  }
  for (const track of model.tracks) {
    if (track.kind !== 'instants') continue;
    for (let i = 0; i < track.count; i++) {
      const event = model.events[track.ref[i]!]!;
      if (matches(event)) {
        eventMatch[track.ref[i]!] = 1;
        instants.push(track.ref[i]!);
      }
    }
  }
  spans.sort((a, b) => model.spans.startUs[a]! - model.spans.startUs[b]!);
  return { query, spanMatch, eventMatch, spans, instants };
}
