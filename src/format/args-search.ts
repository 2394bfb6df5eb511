// Search over the args that stayed in the file (the summary path, event-summary.ts): the page
// matches names and categories itself, and asks the host — which has the file — which of the
// events whose args it has not fetched match in the args the viewer searches (URL, route,
// message, text, method, and the recorded request headers' values: an id pasted from the logs
// finds its request). Same rule as the page's search (viewer/model/search.ts); pure, with
// the file read through a callback, so any host can use it.
import { bytesMayContain } from './bytes-may-contain';
import { lineOffsets, SUMMARY_FLAG, type EventSummary } from './event-summary';
import { isJsonObject } from './json-object';

/** The args keys a search looks in, besides the event's name and category. */
export const SEARCH_ARG_KEYS = ['url', 'route', 'message', 'text', 'method'] as const;

/** Longest needle a host accepts (a search box, not a query language). */
export const MAX_SEARCH_CHARS = 200;

/** Whether a host should search for `needle`: 1 to MAX_SEARCH_CHARS characters, trimmed, lower case. */
export function isSearchNeedle(needle: unknown): needle is string {
  return typeof needle === 'string' && needle !== '' && needle.length <= MAX_SEARCH_CHARS && needle === needle.trim().toLowerCase();
}

/**
 * Whether `args` holds a string containing `needle` (lower case) under one of SEARCH_ARG_KEYS,
 * or as the value of a recorded request header (`headers`), case-insensitively.
 */
export function argsMatch(args: unknown, needle: string): boolean {
  if (!isJsonObject(args)) return false;
  for (const key of SEARCH_ARG_KEYS) {
    const value = args[key];
    if (typeof value === 'string' && value.toLowerCase().includes(needle)) return true;
  }
  const headers = args.headers;
  if (isJsonObject(headers)) {
    for (const value of Object.values(headers)) if (typeof value === 'string' && value.toLowerCase().includes(needle)) return true;
  }
  return false;
}

/** Bytes read per step: whole lines only, at least this much when lines are short. */
const WINDOW_BYTES = 4 << 20;

/**
 * Indices (ascending) of the events with ARGS_REMOTE whose args match `needle` (already
 * trimmed and lower case, as the page's search uses it). `read(offset, length)` returns those
 * bytes of the file. A line is parsed only when its bytes may hold the needle.
 */
export async function searchRemoteArgs(summary: EventSummary, needle: string, read: (offset: number, length: number) => Promise<Uint8Array>): Promise<Int32Array> {
  const matches: number[] = [];
  if (needle === '') return Int32Array.from(matches);
  const offsets = lineOffsets(summary);
  const needleBytes = /^[\x20-\x7e]+$/.test(needle) ? new TextEncoder().encode(needle) : undefined;
  const decoder = new TextDecoder();
  const { eventCount, flags, lineBytes } = summary;
  let i = 0;
  while (i < eventCount) {
    if (!(flags[i]! & SUMMARY_FLAG.ARGS_REMOTE)) {
      i++;
      continue;
    }
    const first = i;
    const windowStart = offsets[i]!;
    const window = await read(windowStart, Math.max(WINDOW_BYTES, lineBytes[i]!));
    const windowEnd = windowStart + window.length;
    for (; i < eventCount && offsets[i]! + lineBytes[i]! <= windowEnd; i++) {
      if (!(flags[i]! & SUMMARY_FLAG.ARGS_REMOTE)) continue;
      const start = offsets[i]! - windowStart;
      const end = start + lineBytes[i]!;
      if (!bytesMayContain(window, start, end, needleBytes)) continue;
      try {
        const event: unknown = JSON.parse(decoder.decode(window.subarray(start, end)));
        if (typeof event === 'object' && event !== null && argsMatch((event as { args?: unknown }).args, needle)) matches.push(i);
      } catch {
        // Not JSON any more (the file changed): no match; the page's byte-range check says so.
      }
    }
    // The file is shorter than the summary says (changed since): stop rather than spin.
    if (i === first) break;
  }
  return Int32Array.from(matches);
}
