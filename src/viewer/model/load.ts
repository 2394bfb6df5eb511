// Adapter from the shared reader (src/format/read.ts: snapshots, Chrome traces, .cpuprofile;
// one clear sentence for anything else) to what the viewer's model needs.
import type { MemoryArena } from '../../format/memory-arena';
import { parseTraceText } from '../../format/read';
import type { SummarySpans } from '../../format/event-summary';
import type { SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import type { EventFields } from './event-fields';

export interface LoadedTrace {
  events: TraceEvent[];
  metadata: Partial<SnapshotMetadata> | undefined;
  source: 'snapshot' | 'chrome' | 'cpuprofile';
  window: { startTs: number; endTs: number } | undefined;
  /** Entries that were not trace events (wrong shape) and were left out. */
  skippedEvents: number;
  warnings: string[];
  /** Present when some events' args are still on the host (the summary path): fetches them. */
  argsLoader?: ArgsLoader;
  /** Column access to the events (the summary path); otherwise the model reads `events`. */
  fields?: EventFields;
  /**
   * The summary path (version 3): spans the host already paired and packed into rows, and the
   * events the summary carries whole (everything but spans and flow points), by index.
   */
  hostSpans?: { layout: SummarySpans; fullEvents: ReadonlyMap<number, TraceEvent> };
  /** Memory made resident while the page waited (the rest of the buffer the summary came in), for the model's big arrays. */
  memory?: MemoryArena;
}

/** Fetches args that stayed in the file on the host (remote-args.ts). */
export interface ArgsLoader {
  /** Whether any of these events' args are not here yet. */
  missing(eventIndices: readonly number[]): boolean;
  /** Fetches the missing args of these events; resolves when they can be read. Rejects with a sentence on failure. */
  load(eventIndices: readonly number[]): Promise<void>;
  /**
   * Indices of the events whose fetched-later args match `needle` in the keys search looks at
   * (done by the host, which has the file), or undefined when the host cannot search.
   */
  searchArgs?(needle: string): Promise<Int32Array>;
}

export type LoadResult = LoadedTrace | { error: string };

export function loadTraceText(text: string, fileName: string): LoadResult {
  const result = parseTraceText(text, fileName);
  if ('error' in result) return { error: result.error };
  const skipped = result.warnings.map((w) => /^(\d+) of \d+ entries/.exec(w)).find(Boolean);
  return {
    events: result.trace.traceEvents,
    metadata: result.trace.metadata,
    source: result.kind === 'chrome-trace' ? 'chrome' : result.kind,
    window: result.trace.window,
    skippedEvents: skipped ? Number(skipped[1]) : 0,
    warnings: result.warnings,
  };
}

export { isJsonObject as isRecord } from '../../format/json-object';
