// What the program did while a request span was open (format/while-open.ts) — its thread's loop
// blocks and GC pauses, and for a server request the outgoing requests of its process — read
// from the model's span table for the request's details. One pass over the span times (typed
// arrays), categories read only for the spans that overlap: a few ms for a million events,
// once per selection.
import { coveredUs, whileOpen, type TimeSpan, type WhileOpen } from '../../format/while-open';
import type { TimelineModel } from './model';
import { primaryCategory } from './tracks';

export interface RequestContext {
  during: WhileOpen;
  /** The longest loop block overlapping the request (a span index), or -1. */
  longestBlock: number;
}

/** Whether `span` is a request whose details say what happened while it was open. */
export function isRequestSpan(model: TimelineModel, span: number): boolean {
  const cat = primaryCategory(model.fields.cat(model.spans.event[span]!));
  return cat === 'http.server' || cat === 'http.client';
}

export function requestContext(model: TimelineModel, span: number): RequestContext {
  const { startUs, endUs, event, count } = model.spans;
  const { fields } = model;
  const start = startUs[span]!;
  const end = endUs[span]!;
  const own = event[span]!;
  const pid = fields.pid(own);
  const tid = fields.tid(own);
  const server = primaryCategory(fields.cat(own)) === 'http.server';
  const blocks: TimeSpan[] = [];
  const gcs: TimeSpan[] = [];
  const outgoing: TimeSpan[] = [];
  let longestBlock = -1;
  for (let k = 0; k < count; k++) {
    const s = startUs[k]!;
    const e = endUs[k]!;
    if (s >= end || e <= start || k === span) continue;
    const index = event[k]!;
    if (fields.pid(index) !== pid) continue;
    const cat = primaryCategory(fields.cat(index));
    const sameThread = fields.tid(index) === tid;
    if (cat === 'eventloop' && sameThread) {
      blocks.push({ startUs: s, endUs: e });
      if (longestBlock < 0 || e - s > endUs[longestBlock]! - startUs[longestBlock]!) longestBlock = k;
    } else if (cat === 'gc' && sameThread) {
      gcs.push({ startUs: s, endUs: e });
    } else if (server && cat === 'http.client') {
      outgoing.push({ startUs: s, endUs: e });
    }
  }
  return { during: whileOpen({ startUs: start, endUs: end }, blocks, gcs, outgoing), longestBlock };
}

/**
 * How much of each of `spans` (requests) its thread's event loop was blocked, µs: the table of
 * slowest requests shows it for every row. The blocks are gathered once per call (one pass over
 * the span categories, as the table's own row pick makes), grouped by thread and sorted; each
 * request then finds its blocks by binary search — blocks of one thread do not overlap.
 */
export function loopBlockedUs(model: TimelineModel, spans: readonly number[]): Float64Array {
  const { startUs, endUs, event, count } = model.spans;
  const { fields } = model;
  const byThread = new Map<string, number[]>();
  for (let k = 0; k < count; k++) {
    const index = event[k]!;
    if (primaryCategory(fields.cat(index)) !== 'eventloop') continue;
    const key = `${fields.pid(index)}:${fields.tid(index)}`;
    const list = byThread.get(key);
    if (list) list.push(k);
    else byThread.set(key, [k]);
  }
  for (const list of byThread.values()) list.sort((a, b) => startUs[a]! - startUs[b]!);
  const result = new Float64Array(spans.length);
  spans.forEach((span, i) => {
    const own = event[span]!;
    const blocks = byThread.get(`${fields.pid(own)}:${fields.tid(own)}`);
    if (!blocks) return;
    const start = startUs[span]!;
    const end = endUs[span]!;
    let low = 0;
    let high = blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (startUs[blocks[middle]!]! < start) low = middle + 1;
      else high = middle;
    }
    // The block before may reach into the request; then every block that starts inside it.
    const overlapping: TimeSpan[] = [];
    for (let b = Math.max(0, low - 1); b < blocks.length && startUs[blocks[b]!]! < end; b++) {
      overlapping.push({ startUs: startUs[blocks[b]!]!, endUs: endUs[blocks[b]!]! });
    }
    result[i] = coveredUs(overlapping, start, end);
  });
  return result;
}
