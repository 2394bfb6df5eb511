// performance.mark() / performance.measure() as `user` events, from a PerformanceObserver.
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';
import { perfToTraceUs } from './perf-clock';

export function userTimingSource(): EventSource {
  return {
    name: 'user-timing',
    install(context: SourceContext) {
      const { ring } = context;
      const toTraceUs = perfToTraceUs(ring);
      const observer = new PerformanceObserver(context.guard('user timing observer', (list: { getEntries(): PerformanceEntry[] }) => {
        for (const entry of list.getEntries()) {
          if (entry.entryType === 'mark') ring.write(Kind.userMark, toTraceUs(entry.startTime), 0, 0, 0, 0, ring.intern(entry.name), 0);
          else ring.write(Kind.userMeasure, toTraceUs(entry.startTime), entry.duration * 1000, 0, 0, 0, ring.intern(entry.name), 0);
        }
      }));
      observer.observe({ entryTypes: ['mark', 'measure'] });
      return () => observer.disconnect();
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
