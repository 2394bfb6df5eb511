// performance.mark() / performance.measure() as `user` events: the two methods are wrapped on
// the global `performance` (perf_hooks' own object) so each call writes its record as it
// returns the entry, then hands the entry back unchanged. This replaced a
// PerformanceObserver: an observer holds every entry in its buffer until its next delivery (a
// turn of the event loop later), so a burst of marks was kept alive, promoted to the old
// generation, and grew the program's heap by several MiB per burst (docs/benchmarks.md,
// storm). Wrapped, nothing outlives the call. Calls through a reference taken before the
// recorder loaded, or through Performance.prototype, are not seen; uninstall removes only
// wrappers still in place.
import type { PerformanceEntry } from 'node:perf_hooks';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';
import { perfToTraceUs } from './perf-clock';

type Method = 'mark' | 'measure';
type TimingMethod = (this: unknown, ...args: unknown[]) => unknown;

function isEntry(value: unknown): value is PerformanceEntry {
  return typeof value === 'object' && value !== null && typeof (value as PerformanceEntry).startTime === 'number';
}

export function userTimingSource(): EventSource {
  return {
    name: 'user-timing',
    install(context: SourceContext) {
      const { ring } = context;
      const toTraceUs = perfToTraceUs(ring);
      const target = globalThis.performance as unknown as Record<Method, TimingMethod>;
      const restore: (() => void)[] = [];
      const wrap = (method: Method, record: (entry: PerformanceEntry) => void) => {
        const original = target[method];
        if (typeof original !== 'function') return;
        const guarded = context.guard(`performance.${method}`, record);
        const wrapped = function (this: unknown, ...args: unknown[]): unknown {
          const entry = original.apply(this, args);
          if (isEntry(entry)) guarded(entry);
          return entry;
        };
        Object.defineProperty(wrapped, 'name', { value: original.name });
        Object.defineProperty(wrapped, 'length', { value: original.length });
        const hadOwn = Object.prototype.hasOwnProperty.call(target, method);
        target[method] = wrapped;
        restore.push(() => {
          if (target[method] !== wrapped) return; // the program put its own there since
          if (hadOwn) target[method] = original;
          else delete (target as Partial<Record<Method, TimingMethod>>)[method];
        });
      };
      wrap('mark', (entry) => ring.write(Kind.userMark, toTraceUs(entry.startTime), 0, 0, 0, 0, ring.intern(entry.name), 0));
      wrap('measure', (entry) => ring.write(Kind.userMeasure, toTraceUs(entry.startTime), entry.duration * 1000, 0, 0, 0, ring.intern(entry.name), 0));
      return () => {
        for (const undo of restore) undo();
      };
    },
  };
}

/** `userMark` (46): ts = mark time, s1 = mark name. → instant `i`, cat `user`, thread scope. */
export function decodeUserMark(record: RecordView, out: DecodeContext): void {
  out.emit({ name: record.s1 ?? 'mark', cat: 'user', ph: 'i', s: 't', ts: record.tsUs, pid: out.pid, tid: out.tid, args: { mark: true } });
}

/** `userMeasure` (47): ts = start, dur = µs, s1 = measure name. → complete `X`, cat `user`. */
export function decodeUserMeasure(record: RecordView, out: DecodeContext): void {
  out.emit({ name: record.s1 ?? 'measure', cat: 'user', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args: { measure: true } });
}
