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
  /** V8's used heap before and after, bytes (the begin and end events' args), when traced. */
  heapBeforeBytes?: number;
  heapAfterBytes?: number;
}

/** A begin event's time and used heap, waiting for its end. */
interface OpenCollection {
  startUs: number;
  heapBeforeBytes: number | undefined;
}

function heapArg(args: unknown, key: 'usedHeapSizeBefore' | 'usedHeapSizeAfter'): number | undefined {
  const value = (args as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

const INCREMENTAL = 3;
/** Collections V8 traces as a begin/end pair, and their kinds (1 minor, 2 major). */
const PAIRED_KINDS = new Map<string, number>([['MinorGC', 1], ['MajorGC', 2]]);
/** The metadata event naming a thread, and the name Node gives the main thread. */
const THREAD_NAME = 'thread_name';
const MAIN_THREAD_NAME = 'JavaScriptMainThread';

/**
 * What a batch held: the main thread's collections it completes, and how many events of other
 * threads came with them (skipped, but Node serialised each and the session parsed it on the
 * main thread all the same: gc.ts weighs them).
 */
export interface TracedWindow {
  collections: TracedCollection[];
  otherThreadEvents: number;
}

export class GcTraceReader {
  private mainTid: number;
  /** Each paired kind's collection still open. */
  private readonly open = new Map<number, OpenCollection>();

  /** `mainTid`: the main thread's id as trace events carry it, until a `thread_name` event says otherwise. */
  constructor(mainTid: number) {
    this.mainTid = mainTid;
  }

  /** What `events` (one batch, in order) hold. */
  read(events: readonly V8TraceEvent[]): TracedWindow {
    const collections: TracedCollection[] = [];
    let otherThreadEvents = 0;
    for (const event of events) {
      if (event.name === THREAD_NAME && event.ph === 'M' && typeof event.tid === 'number' && (event.args as { name?: unknown } | undefined)?.name === MAIN_THREAD_NAME) {
        this.mainTid = event.tid;
        continue;
      }
      if (event.tid !== this.mainTid) {
        if (event.ph !== 'M') otherThreadEvents++;
        continue;
      }
      if (typeof event.ts !== 'number') continue;
      const paired = typeof event.name === 'string' ? PAIRED_KINDS.get(event.name) : undefined;
      if (paired !== undefined) {
        const begun = this.open.get(paired);
        if (event.ph === 'B') this.open.set(paired, { startUs: event.ts, heapBeforeBytes: heapArg(event.args, 'usedHeapSizeBefore') });
        else if (event.ph === 'E' && begun !== undefined) {
          const collection: TracedCollection = { startUs: begun.startUs, durUs: Math.max(0, event.ts - begun.startUs), kind: paired };
          const heapAfterBytes = heapArg(event.args, 'usedHeapSizeAfter');
          if (begun.heapBeforeBytes !== undefined && heapAfterBytes !== undefined) {
            collection.heapBeforeBytes = begun.heapBeforeBytes;
            collection.heapAfterBytes = heapAfterBytes;
          }
          collections.push(collection);
          this.open.delete(paired);
        }
      } else if (event.name === 'V8.GCIncrementalMarkingStart' && event.ph === 'X') {
        collections.push({ startUs: event.ts, durUs: typeof event.dur === 'number' ? Math.max(0, event.dur) : 0, kind: INCREMENTAL });
      }
    }
    return { collections, otherThreadEvents };
  }
}
