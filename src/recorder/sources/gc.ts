// Garbage collections from the 'gc' PerformanceObserver: one complete event per collection.
// Entries arrive in batches after the fact (no per-GC work on the program's path beyond what
// Node does for any gc observer).
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { GcArgs, GcKind } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';
import { perfToTraceUs } from './perf-clock';

const GC_KINDS: readonly GcKind[] = ['unknown', 'minor', 'major', 'incremental', 'weakcb'];

function kindCode(kind: number | undefined): number {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR: return 1;
    case constants.NODE_PERFORMANCE_GC_MAJOR: return 2;
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL: return 3;
    case constants.NODE_PERFORMANCE_GC_WEAKCB: return 4;
    default: return 0;
  }
}

export function gcSource(): EventSource {
  return {
    name: 'gc',
    install(context: SourceContext) {
      const { ring, rules } = context;
      const toTraceUs = perfToTraceUs(ring);
      const observer = new PerformanceObserver(context.guard('gc observer', (list: { getEntries(): PerformanceEntry[] }) => {
        for (const entry of list.getEntries()) {
          const detail = (entry as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail;
          const durationUs = entry.duration * 1000;
          ring.write(Kind.gc, toTraceUs(entry.startTime), durationUs, 0, kindCode(detail?.kind), detail?.flags ?? 0, 0, 0);
          rules.gcPaused(entry.duration);
        }
      }));
      observer.observe({ entryTypes: ['gc'] });
      return () => observer.disconnect();
    },
  };
}

/** `gc` (38): ts = start, dur = pause µs, a = kind (1 minor, 2 major, 3 incremental, 4 weakcb, 0 unknown), b = V8 GC flags. */
export function decodeGc(record: RecordView, out: DecodeContext): void {
  const kind = GC_KINDS[record.a] ?? 'unknown';
  const args: GcArgs & { flags?: number } = { kind };
  if (record.b) args.flags = record.b;
  out.emit({ name: `GC (${kind})`, cat: 'gc', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args: args as unknown as Record<string, unknown> });
}
