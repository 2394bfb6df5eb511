// Pairing state for async spans while one thread's records are decoded. The core decodes a
// thread's records oldest first through one DecodeContext, so a WeakMap keyed by that context
// sees every begin before its end. An end whose begin was overwritten in the ring (or began
// before the ring's window) gets a begin synthesised from the end record itself: end records
// carry the span's start as their ts and its length as dur, which also keeps the snapshot
// window (oldest record ts → newest ts + dur) around the whole span.
import type { DecodeContext } from '../contracts';

const openSpans = new WeakMap<DecodeContext, Set<string>>();

function spansOf(out: DecodeContext): Set<string> {
  let open = openSpans.get(out);
  if (open === undefined) {
    open = new Set();
    openSpans.set(out, open);
  }
  return open;
}

/** Notes that the begin of (category, id) was emitted in this decode pass. */
export function noteBegin(out: DecodeContext, category: string, id: number): void {
  spansOf(out).add(`${category}\u0000${id}`);
}

/** True when the begin of (category, id) was emitted in this pass (and forgets it). */
export function takeBegin(out: DecodeContext, category: string, id: number): boolean {
  return spansOf(out).delete(`${category}\u0000${id}`);
}

const recordedHeaders = new WeakMap<DecodeContext, Map<string, string>>();

/** A span's recorded headers (their record comes just before the span's begin record). */
export function noteHeaders(out: DecodeContext, category: string, id: number, text: string): void {
  let byId = recordedHeaders.get(out);
  if (byId === undefined) {
    byId = new Map();
    recordedHeaders.set(out, byId);
  }
  byId.set(`${category}\u0000${id}`, text);
}

/** The headers noted for (category, id) in this pass, forgotten; undefined when none. */
export function takeHeaders(out: DecodeContext, category: string, id: number): string | undefined {
  const byId = recordedHeaders.get(out);
  const key = `${category}\u0000${id}`;
  const text = byId?.get(key);
  if (text !== undefined) byId!.delete(key);
  return text;
}
