// Garbage collections read from V8's own trace events (category `v8`, NodeTracing): the main
// thread's `MinorGC` and `MajorGC` begin/end pairs (what a perf_hooks `gc` entry times: V8's GC
// prologue to its epilogue) and `V8.GCIncrementalMarkingStart` (perf_hooks' `incremental`).
// Pure: gc-tracing.ts feeds it the batches NodeTracing delivers. Events of other threads (the
// program's workers, the recorder's watchdog) are skipped; a begin whose end comes in the next
// batch is kept open until then.

/** A trace event as NodeTracing delivers it (the fields read here). */
export interface V8TraceEvent {
  name?: unknown;
  ph?: unknown;
  ts?: unknown;
  dur?: unknown;
  tid?: unknown;
  args?: unknown;
}

/** One collection: start and pause (trace µs) and its kind as the gc record's code (gc.ts: 1 minor, 2 major, 3 incremental). */
export interface TracedCollection {
  startUs: number;
  durUs: number;
  kind: number;
}

const MINOR = 1;
const MAJOR = 2;
const INCREMENTAL = 3;
/** The metadata event naming a thread, and the name Node gives the main thread. */
const THREAD_NAME = 'thread_name';
const MAIN_THREAD_NAME = 'JavaScriptMainThread';

export class GcTraceReader {
  private mainTid: number;
  private openMinorUs: number | undefined;
  private openMajorUs: number | undefined;

  /** `mainTid`: the main thread's id as trace events carry it, until a `thread_name` event says otherwise. */
  constructor(mainTid: number) {
    this.mainTid = mainTid;
  }

  /** The collections that `events` (one batch, in order) complete. */
  read(events: readonly V8TraceEvent[]): TracedCollection[] {
    const collections: TracedCollection[] = [];
    for (const event of events) {
      if (event.name === THREAD_NAME && event.ph === 'M' && typeof event.tid === 'number' && (event.args as { name?: unknown } | undefined)?.name === MAIN_THREAD_NAME) {
        this.mainTid = event.tid;
        continue;
      }
      if (event.tid !== this.mainTid || typeof event.ts !== 'number') continue;
      switch (event.name) {
        case 'MinorGC':
          if (event.ph === 'B') this.openMinorUs = event.ts;
          else if (event.ph === 'E' && this.openMinorUs !== undefined) {
            collections.push({ startUs: this.openMinorUs, durUs: Math.max(0, event.ts - this.openMinorUs), kind: MINOR });
            this.openMinorUs = undefined;
          }
          break;
        case 'MajorGC':
          if (event.ph === 'B') this.openMajorUs = event.ts;
          else if (event.ph === 'E' && this.openMajorUs !== undefined) {
            collections.push({ startUs: this.openMajorUs, durUs: Math.max(0, event.ts - this.openMajorUs), kind: MAJOR });
            this.openMajorUs = undefined;
          }
          break;
        case 'V8.GCIncrementalMarkingStart':
          if (event.ph === 'X') collections.push({ startUs: event.ts, durUs: typeof event.dur === 'number' ? Math.max(0, event.dur) : 0, kind: INCREMENTAL });
          break;
      }
    }
    return collections;
  }
}
