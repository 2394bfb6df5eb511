// Garbage collections: one complete event per collection. On the main thread from V8's own
// trace events, read in windows of 1–8 s (gc-tracing.ts: no JavaScript per collection); in workers,
// where a session may not trace, wherever tracing cannot start or stops working, and while
// other threads' collections make reading the windows dearer than observing, from the
// perf_hooks 'gc' observer (Node builds an entry per collection, ~35 µs each). A program starts
// with the observer: switching to tracing loads `node:inspector` (~4 ms), which only a program
// still running a second later pays. Entries arrive in batches after the fact either way.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { GcArgs, GcKind, TraceEvent } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import type { TracedCollection } from './gc-trace-events';
import { startGcTracing, type GcTracing } from './gc-tracing';
import { Kind } from './kinds';
import { perfToTraceUs } from './perf-clock';

const GC_KINDS: readonly GcKind[] = ['unknown', 'minor', 'major', 'incremental', 'weakcb'];
/** How long a program runs on the observer before the main thread switches to tracing. */
const TRACING_AFTER_MS = 1000;
/**
 * A tracing window while the program collects garbage: collections reach the ring (and the
 * rules) at most this late. Reading a window costs ~1 ms of the main thread whatever it holds
 * (stopping and restarting Node's tracing agent: docs/benchmarks.md), so a loaded program pays
 * it every TRACING_WINDOW_MS. With no rule watching GC pauses nothing waits for a collection but
 * a snapshot, which reads the open window itself (snapshotEvents): windows are then
 * TRACING_QUIET_WINDOW_MS long — a snapshot taken by the watchdog while the main thread is
 * stuck misses the collections of that window. A window without a collection doubles the next,
 * up to TRACING_IDLE_WINDOW_MS, so an idle program does not pay every second.
 */
const TRACING_WINDOW_MS = 1000;
const TRACING_QUIET_WINDOW_MS = 4000;
const TRACING_IDLE_WINDOW_MS = 8000;
/**
 * More collections than this in a window (a storm of scavenges: ~3 trace events each; a
 * program making user-timing marks as fast as it can with a 1 MiB young generation collects
 * ~300 times a second here) and the next window is TRACING_WINDOW_MS long even when nothing
 * waits for them: what a window's read builds (Node's JSON of its events, then their objects)
 * stays small, and a storm of up to ~6 000 collections a second stays under
 * MAX_EVENTS_PER_WINDOW (gc-tracing.ts) — over it tracing stops for good and the program goes
 * back to the observer, which costs ~35 µs a collection (~1 600 a second overflowed a 4 s window).
 */
const STORM_COLLECTIONS_PER_WINDOW = 300;
/**
 * What tracing costs against the observer, per event and per collection (measured here, Node
 * 20): reading a window costs the main thread ~4–10 µs an event (Node serialises each to JSON,
 * the session parses it back), the observer ~35 µs a collection, and one of the main thread's
 * collections is ~3 events. But V8 traces every thread's collections and Node's agent cannot
 * tell it which: the program's busy workers, or the watchdog writing a snapshot (~210 events
 * for a 10 MiB ring), fill the main thread's windows with events it reads only to skip — two
 * busy workers made a 4 s window a 12–33 ms pause of an idle main thread.
 */
const TRACE_EVENT_COST_US = 8;
const OBSERVER_COST_US = 35;
const TRACE_EVENTS_PER_COLLECTION = 3;
/** Other threads' events a window may carry on top of what tracing saves (~1 ms of reading). */
const OTHER_THREADS_SLACK_US = 1000;
/** After going back to the observer for them, tracing is tried again this much later, doubling up to TRACING_RETRY_MAX_MS. */
const TRACING_RETRY_MS = 30_000;
const TRACING_RETRY_MAX_MS = 8 * 60_000;

/**
 * Whether the observer would have cost the main thread less than the window just read: the
 * other threads' events in it cost more than tracing saved on the main thread's `collections`.
 */
export function observerIsCheaper(otherThreadEvents: number, collections: number): boolean {
  const savedUs = collections * (OBSERVER_COST_US - TRACE_EVENTS_PER_COLLECTION * TRACE_EVENT_COST_US);
  return otherThreadEvents * TRACE_EVENT_COST_US > savedUs + OTHER_THREADS_SLACK_US;
}

type GcEntry = PerformanceEntry & { detail?: { kind?: number; flags?: number } };

/**
 * How long the next tracing window is, after one that held `collections`: short in a storm of
 * them (STORM_COLLECTIONS_PER_WINDOW), `busyWindowMs` while there are some, and doubling up to
 * TRACING_IDLE_WINDOW_MS while there are none.
 */
export function nextTracingWindowMs(collections: number, windowMs: number, busyWindowMs: number): number {
  if (collections === 0) return Math.min(TRACING_IDLE_WINDOW_MS, windowMs * 2);
  return collections > STORM_COLLECTIONS_PER_WINDOW ? TRACING_WINDOW_MS : busyWindowMs;
}

/** `a` holds the kind code (< KIND_CODES) plus KIND_CODES × the heap used before, KiB (exact in a float64). */
const KIND_CODES = 8;
const KiB = 1024;

function kindCode(kind: number | undefined): number {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR: return 1;
    case constants.NODE_PERFORMANCE_GC_MAJOR: return 2;
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL: return 3;
    case constants.NODE_PERFORMANCE_GC_WEAKCB: return 4;
    default: return 0;
  }
}

/** A traced collection's `a` and `id` record fields (see decodeGc). */
function tracedFields(c: TracedCollection): { a: number; id: number } {
  if (c.heapBeforeBytes === undefined || c.heapAfterBytes === undefined) return { a: c.kind, id: 0 };
  return { a: c.kind + KIND_CODES * Math.round(c.heapBeforeBytes / KiB), id: Math.min(0xffffffff, Math.round(c.heapAfterBytes / KiB)) };
}

/**
 * `options.tracingAfterMs`: when the main thread switches to tracing; `tracingRetryMs`: when it
 * tries again after other threads' events made the observer cheaper (tests use both sooner).
 */
export function gcSource(options: { tracingAfterMs?: number; tracingRetryMs?: number } = {}): EventSource {
  let takeSnapshotEvents: NonNullable<EventSource['snapshotEvents']> = () => [];
  return {
    name: 'gc',
    install(context: SourceContext) {
      const { ring, rules } = context;
      const busyWindowMs = rules.watchesGcPauses === false ? TRACING_QUIET_WINDOW_MS : TRACING_WINDOW_MS;
      /** One gc record (see decodeGc for `a`, `id` and `flags`), and the rules hear of its pause. */
      const record = (startUs: number, durUs: number, a: number, flags: number, id = 0) => {
        ring.write(Kind.gc, startUs, durUs, id, a, flags, 0, 0);
        rules.gcPaused(durUs / 1000);
      };
      const recordTraced = (c: TracedCollection) => {
        const { a, id } = tracedFields(c);
        record(c.startUs, c.durUs, a, 0, id);
      };
      const toTraceUs = perfToTraceUs(ring);
      const recordEntries = (entries: PerformanceEntry[], beforeUs = Infinity) => {
        for (const entry of entries) {
          const startUs = toTraceUs(entry.startTime);
          if (startUs >= beforeUs) continue;
          const detail = (entry as GcEntry).detail;
          record(startUs, entry.duration * 1000, kindCode(detail?.kind), detail?.flags ?? 0);
        }
      };
      const observer = new PerformanceObserver(context.guard('gc observer', (list: { getEntries(): PerformanceEntry[] }) => recordEntries(list.getEntries())));
      observer.observe({ entryTypes: ['gc'] });
      /** Set while the main thread traces (the observer is disconnected then). */
      let tracing: GcTracing | undefined;
      let windowTimer: ReturnType<typeof setTimeout> | undefined;
      let windowMs = busyWindowMs;
      /** Collections from this time on (trace µs) are the trace's, those before the observer's. */
      let tracingSinceUs = Infinity;
      /** Collections a snapshot took before they reached the ring: written with the next window. */
      let taken: TracedCollection[] = [];
      /** Other threads' events read since the last window was written (a snapshot's read included). */
      let otherThreadEvents = 0;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      let retryMs = options.tracingRetryMs ?? TRACING_RETRY_MS;

      const stopTracing = () => {
        if (windowTimer) clearTimeout(windowTimer);
        windowTimer = undefined;
        tracing?.close();
        tracing = undefined;
      };
      const backToObserver = () => {
        if (tracing === undefined) return;
        stopTracing();
        observer.observe({ entryTypes: ['gc'] });
      };
      /** The collections since the last window (none, and the observer back, when tracing stopped working). */
      const endWindow = (): TracedCollection[] => {
        const traced = tracing?.rotate();
        if (traced === undefined) {
          backToObserver();
          return [];
        }
        otherThreadEvents += traced.otherThreadEvents;
        return traced.collections.filter((c) => c.startUs >= tracingSinceUs);
      };
      const writeWindow = context.guard('gc tracing window', () => {
        const collections = endWindow();
        const count = collections.length + taken.length;
        for (const c of taken) recordTraced(c);
        taken = [];
        for (const c of collections) recordTraced(c);
        const others = otherThreadEvents;
        otherThreadEvents = 0;
        if (!tracing) return;
        if (observerIsCheaper(others, count)) {
          // Until the other threads calm down: tried again later, less often each time.
          backToObserver();
          retryTimer = setTimeout(switchToTracing, retryMs);
          retryTimer.unref();
          retryMs = Math.min(TRACING_RETRY_MAX_MS, retryMs * 2);
          return;
        }
        scheduleWindow(nextTracingWindowMs(count, windowMs, busyWindowMs));
      });
      const scheduleWindow = (ms: number) => {
        windowMs = ms;
        windowTimer = setTimeout(writeWindow, ms);
        windowTimer.unref();
      };
      const switchToTracing = context.guard('gc tracing start', () => {
        retryTimer = undefined;
        const sinceUs = ring.nowUs();
        tracing = startGcTracing();
        if (!tracing) return;
        tracingSinceUs = sinceUs;
        // What the observer holds from before; a collection it has not delivered yet is lost.
        recordEntries(observer.takeRecords(), sinceUs);
        observer.disconnect();
        // A short first window: a program whose other threads make tracing dearer than the
        // observer reads at most a second of their events before it goes back.
        scheduleWindow(TRACING_WINDOW_MS);
      });
      // The main thread only: Node lets no other thread's session change tracing.
      const switchTimer = context.tid === 0 ? setTimeout(switchToTracing, options.tracingAfterMs ?? TRACING_AFTER_MS) : undefined;
      switchTimer?.unref();

      takeSnapshotEvents = (startUs, endUs, pid, tid) => {
        if (!tracing) return [];
        const collections = endWindow();
        for (const c of collections) taken.push(c);
        const events: TraceEvent[] = [];
        // GC events name no URL: nothing to redact.
        const out: DecodeContext = { pid, tid, emit: (event) => events.push(event), redactUrl: (url) => url };
        for (const c of collections) {
          if (c.startUs + c.durUs < startUs || c.startUs > endUs) continue;
          const { a, id } = tracedFields(c);
          decodeGc({ kind: Kind.gc, tsUs: c.startUs, durUs: c.durUs, id, a, b: 0, s1: undefined, s2: undefined }, out);
        }
        return events;
      };
      return () => {
        if (switchTimer) clearTimeout(switchTimer);
        if (retryTimer) clearTimeout(retryTimer);
        stopTracing();
        observer.disconnect();
        takeSnapshotEvents = () => [];
      };
    },
    snapshotEvents: (startUs, endUs, pid, tid) => takeSnapshotEvents(startUs, endUs, pid, tid),
  };
}

/**
 * `gc` (38): ts = start, dur = pause µs, a = kind (1 minor, 2 major, 3 incremental, 4 weakcb,
 * 0 unknown) + 8 × used heap before (KiB; 0 when unknown), id = used heap after (KiB, with it),
 * b = V8 GC flags.
 */
export function decodeGc(record: RecordView, out: DecodeContext): void {
  const kind = GC_KINDS[record.a % KIND_CODES] ?? 'unknown';
  const args: GcArgs & { flags?: number } = { kind };
  if (record.b) args.flags = record.b;
  const heapBeforeKiB = Math.floor(record.a / KIND_CODES);
  if (heapBeforeKiB > 0) {
    args.heapBeforeMB = Math.round((heapBeforeKiB / KiB) * 100) / 100;
    args.heapAfterMB = Math.round((record.id / KiB) * 100) / 100;
  }
  out.emit({ name: `GC (${kind})`, cat: 'gc', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args: args as unknown as Record<string, unknown> });
}
