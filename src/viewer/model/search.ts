// Search: which spans and instants match a query. Case-insensitive substring of the name, or
// of a few identifying args (URL, route, message), so "/users" finds requests by path. On the
// summary path the args of most spans are still on the host: the host searches those
// (src/format/args-search.ts, same rule) and its answer comes in as `remoteMatches`.
import { argsMatch } from '../../format/args-search';
import { LazyArgsEvent } from '../../format/scan-event';
import type { TimelineModel } from './model';
import { SummaryEvent } from './summary-event';

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

/** The needle a query searches for (what the host is asked about, too). */
export function searchNeedle(query: string): string {
  return query.trim().toLowerCase();
}

/**
 * `remoteMatches`: indices of events whose args are still on the host and match (the host's
 * answer); without it those events match by name and category only.
 */
export function search(model: TimelineModel, query: string, remoteMatches?: ReadonlySet<number>): SearchResult | undefined {
  const needle = searchNeedle(query);
  if (needle === '') return undefined;
  const spanMatch = new Uint8Array(model.spans.count);
  const eventMatch = new Uint8Array(model.events.length);
  const spans: number[] = [];
  const instants: number[] = [];
  // Scanned events are asked first whether their raw args could match, so a search does not
  // parse (and keep) the args of a million spans. Only an ASCII needle can be looked for in bytes.
  const needleBytes = /^[\x20-\x7e]+$/.test(needle) ? new TextEncoder().encode(needle) : undefined;
  const { fields } = model;
  const matches = (index: number) => {
    // Names and categories from the fields: no event object unless the args must be looked at.
    if (fields.name(index).toLowerCase().includes(needle)) return true;
    const cat = fields.cat(index);
    if (cat && cat.toLowerCase() === needle) return true;
    if (!fields.hasArgs(index)) return false;
    const event = fields.event(index);
    if (event instanceof SummaryEvent && event.argsMissing) return remoteMatches?.has(index) ?? false;
    if (needleBytes && event instanceof LazyArgsEvent && !event.argsMayContain(needleBytes)) return false;
    return argsMatch(event.args, needle);
  };
  for (let k = 0; k < model.spans.count; k++) {
    const index = model.spans.event[k]!;
    if (matches(index)) {
      spanMatch[k] = 1;
      spans.push(k);
    }
  }
  for (const track of model.tracks) {
    if (track.kind !== 'instants') continue;
    for (let i = 0; i < track.count; i++) {
      if (matches(track.ref[i]!)) {
        eventMatch[track.ref[i]!] = 1;
        instants.push(track.ref[i]!);
      }
    }
  }
  spans.sort((a, b) => model.spans.startUs[a]! - model.spans.startUs[b]!);
  return { query, spanMatch, eventMatch, spans, instants };
}
