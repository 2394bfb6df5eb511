// What else the program did while a request was open, by time: how much of it its thread's
// event loop was blocked, how long garbage collection paused that thread, how long it had
// calls of its own out. A request slow with its loop blocked for most of it was held up by
// code on that thread (its own handler or another's); one slow with nothing of the sort was
// waiting — on I/O, a timer, a lock, a queue. Shared by `cli summary` and the viewer's details.
// By time only: an outgoing request overlapping a server request is not necessarily one it
// made (causality needs `asyncCausality`'s flows).

/** A stretch of time on the trace clock, µs. */
export interface TimeSpan {
  startUs: number;
  endUs: number;
}

export interface WhileOpen {
  /** µs of the request during which its thread's loop was blocked (the blocks' union, clipped to the request). */
  blockedUs: number;
  /** Blocks overlapping the request. */
  blocks: number;
  /** µs of the request its thread spent in GC pauses. */
  gcUs: number;
  collections: number;
  /** µs of the request with at least one outgoing request open. */
  outgoingUs: number;
  outgoing: number;
}

/** µs of [startUs, endUs] that the union of `spans` covers. */
export function coveredUs(spans: readonly TimeSpan[], startUs: number, endUs: number): number {
  const clipped: [number, number][] = [];
  for (const span of spans) {
    const from = Math.max(span.startUs, startUs);
    const to = Math.min(span.endUs, endUs);
    if (to > from) clipped.push([from, to]);
  }
  clipped.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let runStart = 0;
  let runEnd = -Infinity;
  for (const [from, to] of clipped) {
    if (from > runEnd) {
      if (runEnd > runStart) total += runEnd - runStart;
      runStart = from;
      runEnd = to;
    } else if (to > runEnd) {
      runEnd = to;
    }
  }
  if (runEnd > runStart) total += runEnd - runStart;
  return total;
}

const overlaps = (span: TimeSpan, window: TimeSpan) => span.startUs < window.endUs && span.endUs > window.startUs;

/**
 * `request`: the request's own span; the others: spans of its process — loop blocks and GC
 * pauses of its thread, outgoing requests (any, or none for an outgoing request itself) —
 * which may or may not overlap it.
 */
export function whileOpen(request: TimeSpan, blocks: readonly TimeSpan[], gcs: readonly TimeSpan[], outgoing: readonly TimeSpan[]): WhileOpen {
  const during = (spans: readonly TimeSpan[]) => spans.filter((span) => overlaps(span, request));
  const overlappingBlocks = during(blocks);
  const overlappingGcs = during(gcs);
  const overlappingCalls = during(outgoing);
  return {
    blockedUs: coveredUs(overlappingBlocks, request.startUs, request.endUs),
    blocks: overlappingBlocks.length,
    gcUs: coveredUs(overlappingGcs, request.startUs, request.endUs),
    collections: overlappingGcs.length,
    outgoingUs: coveredUs(overlappingCalls, request.startUs, request.endUs),
    outgoing: overlappingCalls.length,
  };
}
