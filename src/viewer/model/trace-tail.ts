// The end of a snapshot in our writer's layout — `"displayTimeUnit":"ms","metadata":{...}}`
// after the event lines — turned into the LoadedTrace the model reads, with the same warnings
// and window as the shared reader (src/format/read.ts). Used by both fast readers: the
// streaming one (stream-load.ts) and the host summary's (summary-load.ts).
import { MAX_DOCUMENT_DEPTH } from '../../format/read';
import { depthBeyond } from '../../format/snapshot-lines';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import { isRecord, type LoadedTrace } from './load';

export interface EventCounts {
  /** Entries of traceEvents, usable or not. */
  entries: number;
  skipped: number;
  /** Index of the first skipped entry, or -1. */
  firstSkipped: number;
}

const decoder = new TextDecoder();

/** The trace, or undefined when the tail is not ours (the caller reads the whole text). Never throws. */
export function traceFromTail(tail: Uint8Array, events: TraceEvent[], counts: EventCounts): LoadedTrace | undefined {
  try {
    if (depthBeyond(tail, 0, tail.length, MAX_DOCUMENT_DEPTH - 1)) return undefined;
    const top: unknown = JSON.parse(`{${decoder.decode(tail)}`);
    if (!isRecord(top) || Object.prototype.hasOwnProperty.call(top, 'traceEvents')) return undefined;
    return result(top, events, counts);
  } catch {
    return undefined;
  }
}

function result(top: Record<string, unknown>, events: TraceEvent[], counts: EventCounts): LoadedTrace {
  const metadata = isRecord(top.metadata) && top.metadata.format === SNAPSHOT_FORMAT ? (top.metadata as unknown as SnapshotMetadata) : undefined;
  // Same words as src/format/read.ts.
  const warnings: string[] = [];
  if (counts.skipped > 0) {
    warnings.push(`${counts.skipped} of ${counts.entries} entries are not usable trace events and were skipped (the first is entry ${counts.firstSkipped}); \`flight-recorder validate\` lists why`);
  }
  if (metadata && metadata.version !== SNAPSHOT_VERSION) {
    warnings.push(`written by format version ${String(metadata.version)}; this reader knows version ${SNAPSHOT_VERSION}`);
  }
  const metaWindow = metadata && isRecord(metadata.window) ? metadata.window : undefined;
  let window: { startTs: number; endTs: number };
  if (metaWindow && Number.isFinite(metaWindow.startTs) && Number.isFinite(metaWindow.endTs) && metaWindow.startTs <= metaWindow.endTs) {
    window = { startTs: metaWindow.startTs, endTs: metaWindow.endTs };
  } else {
    let minTs = Number.POSITIVE_INFINITY;
    let maxTs = Number.NEGATIVE_INFINITY;
    for (const event of events) {
      if (event.ph === 'M') continue;
      if (event.ts < minTs) minTs = event.ts;
      const end = event.ts + (event.dur ?? 0);
      if (end > maxTs) maxTs = end;
    }
    window = Number.isFinite(minTs) ? { startTs: minTs, endTs: maxTs } : { startTs: 0, endTs: 0 };
  }
  return { events, metadata, source: metadata ? 'snapshot' : 'chrome', window, skippedEvents: counts.skipped, warnings };
}
