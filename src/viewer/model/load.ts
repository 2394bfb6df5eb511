// Adapter from the shared reader (src/format/read.ts: snapshots, Chrome traces, .cpuprofile;
// one clear sentence for anything else) to what the viewer's model needs.
import { parseTraceText } from '../../format/read';
import type { SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';

export interface LoadedTrace {
  events: TraceEvent[];
  metadata: Partial<SnapshotMetadata> | undefined;
  source: 'snapshot' | 'chrome' | 'cpuprofile';
  window: { startTs: number; endTs: number } | undefined;
  /** Entries that were not trace events (wrong shape) and were left out. */
  skippedEvents: number;
  warnings: string[];
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
