// The main thread's garbage collections from V8's own trace events, collected in windows through
// an in-process inspector session (NodeTracing, category `v8`). Why not the perf_hooks `gc`
// observer: for every collection Node builds a PerformanceEntry in JavaScript, with accessors
// for the deprecated `entry.kind`/`entry.flags` made by four `deprecate()` wrappers (Node 20 to
// 24, lib/internal/perf/observe.js) — ~35 µs a collection here, 0.4–0.9 % of a loaded server's
// main thread (docs/benchmarks.md). V8's trace events cost a few appends to Node's trace buffer
// in C++ per collection; the JavaScript runs once a window, when the window is stopped and its
// events are read (~1 ms a window on a loaded server, mostly stopping and restarting Node's
// tracing agent, whatever the window holds: gc.ts sizes the windows for it).
// Only the main thread can change tracing (Node refuses it to a worker's session), and the
// category holds every thread's collections: the others' events are read and counted (gc.ts
// goes back to the observer when they make a window dearer than observing). Another
// tracer (`--trace-event-categories`, `trace_events`, DevTools) is another client of Node's
// agent, which hands each client its own categories; should a window still carry far more
// events than a process collects garbage in one, tracing stops and the caller goes back to the
// observer.
import type { Session } from 'node:inspector';
import { inspector } from '../lazy-builtins';
import { GcTraceReader, type TracedWindow, type V8TraceEvent } from './gc-trace-events';

/** More events than this in one window: not ours alone; stop (see above). */
const MAX_EVENTS_PER_WINDOW = 20_000;
const TRACE_CONFIG = { traceConfig: { includedCategories: ['v8'] } };

export interface GcTracing {
  /**
   * Ends the current window and starts the next: the collections completed since the last
   * call, in order. Undefined when tracing stopped working (closed, too many events, an
   * inspector error): the caller observes GC another way from then on.
   */
  rotate(): TracedWindow | undefined;
  close(): void;
}

/** Tracing started on this (main) thread, or undefined where it cannot be (a worker, tracing in use, no inspector). */
export function startGcTracing(): GcTracing | undefined {
  let session: Session | undefined;
  try {
    session = new (inspector().Session)();
    session.connect();
  } catch {
    return undefined;
  }
  const active = session;
  const reader = new GcTraceReader(process.pid);
  let window: V8TraceEvent[] = [];
  let overflowed = false;
  let closed = false;
  active.on('NodeTracing.dataCollected', (message: { params: { value: V8TraceEvent[] } }) => {
    const events = message.params.value;
    if (overflowed || window.length + events.length > MAX_EVENTS_PER_WINDOW) {
      overflowed = true;
      return;
    }
    for (const event of events) window.push(event);
  });
  // An in-process session answers synchronously: the callback has run when post returns, and
  // a stop's data has been delivered.
  const post = (method: string, params?: object): void => {
    let failure: Error | null = null;
    active.post(method, params ?? {}, (error: Error | null) => {
      failure = error;
    });
    if (failure) throw failure;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      post('NodeTracing.stop');
    } catch {}
    try {
      active.disconnect();
    } catch {}
  };
  try {
    post('NodeTracing.start', TRACE_CONFIG);
  } catch {
    close();
    return undefined;
  }
  return {
    rotate() {
      if (closed) return undefined;
      let traced: TracedWindow | undefined;
      try {
        post('NodeTracing.stop');
        traced = overflowed ? undefined : reader.read(window);
      } catch {
        traced = undefined;
      }
      window = [];
      if (!traced) {
        close();
        return undefined;
      }
      try {
        post('NodeTracing.start', TRACE_CONFIG);
      } catch {
        close(); // this window's collections still count; the next call says it stopped
      }
      return traced;
    },
    close,
  };
}
