// Pairing state for async spans while one thread's records are decoded. The core decodes a
// thread's records oldest first through one DecodeContext, so a WeakMap keyed by that context
// sees every begin before its end. An end whose begin was overwritten in the ring (or began
// before the ring's window) gets a begin synthesised from the end record itself: end records
// carry the span's start as their ts and its length as dur, which also keeps the snapshot
// window (oldest record ts → newest ts + dur) around the whole span.
import type { DecodeContext } from '../contracts';

const openSpans = new WeakMap<DecodeContext, Set<string>>();
const recordedHeaders = new WeakMap<DecodeContext, Map<string, string>>();

/** What this pass holds for `out` in `table`, made on first use (a class, not a closure: no allocation per record). */
function stateOf<T>(table: WeakMap<DecodeContext, T>, out: DecodeContext, Make: new () => T): T {
  let state = table.get(out);
  if (state === undefined) {
    state = new Make();
    table.set(out, state);
  }
  return state;
}

/** One key per span: ids count apart per category (server and client spans may share one). */
function spanKey(category: string, id: number): string {
  return `${category}\u0000${id}`;
}

/** Notes that the begin of (category, id) was emitted in this decode pass. */
export function noteBegin(out: DecodeContext, category: string, id: number): void {
  stateOf(openSpans, out, Set<string>).add(spanKey(category, id));
}

/** True when the begin of (category, id) was emitted in this pass (and forgets it). */
export function takeBegin(out: DecodeContext, category: string, id: number): boolean {
  return stateOf(openSpans, out, Set<string>).delete(spanKey(category, id));
}

/** A span's recorded headers (their record comes just before the span's begin record). */
export function noteHeaders(out: DecodeContext, category: string, id: number, text: string): void {
  stateOf(recordedHeaders, out, Map<string, string>).set(spanKey(category, id), text);
}

/** The headers noted for (category, id) in this pass, forgotten; undefined when none. */
export function takeHeaders(out: DecodeContext, category: string, id: number): string | undefined {
  const byKey = recordedHeaders.get(out);
  const key = spanKey(category, id);
  const text = byKey?.get(key);
  if (text !== undefined) byKey!.delete(key);
  return text;
}
