// Opt-in async causality (asyncCausality: true): which callback scheduled which. An
// async_hooks hook with init, before and after — never destroy, which makes Node track every
// promise with a weak callback (~40 % of an HTTP server's throughput, DESIGN.md) — records:
//   init   → the moment a resource (timer, socket request, promise, ...) is created, inside
//            whatever callback is running: a flow start;
//   before/after → the callback running on that resource's behalf: a slice, where the flow
//            ends.
// So the viewer draws an arrow from the slice that scheduled work to the slice that ran it.
// Per resource: one record at init (no clock read inside a callback); per callback: two
// clock reads and one record. The cost is real (promise-heavy code pays per promise; see docs/benchmarks.md),
// hence opt-in.
import { createHook } from 'node:async_hooks';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';

const SLOTS = 65536; // resource types by asyncId, for naming callback slices
const MASK = SLOTS - 1;
const MAX_DEPTH = 256;
export const FLOW_NAME = 'async';

export function asyncCausalitySource(): EventSource {
  return {
    name: 'async-causality',
    install(context: SourceContext) {
      const { ring } = context;
      const typeIds = new Int32Array(SLOTS); // asyncId owning the slot
      const types: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
      const stackIds = new Float64Array(MAX_DEPTH);
      const stackStartUs = new Float64Array(MAX_DEPTH);
      let depth = 0;

      // These hooks run for every promise: no guard wrapper (it allocates per call), an inline
      // try/catch that hands errors to a guarded reporter instead (async_hooks errors are fatal).
      const report = context.guard('async-causality', (error: unknown) => {
        throw error;
      });
      const hook = createHook({
        init(asyncId: number, type: string, triggerAsyncId: number) {
          try {
            const slot = asyncId & MASK;
            typeIds[slot] = asyncId;
            types[slot] = type;
            // The flow start only has to lie inside the running callback's slice: its start
            // time serves, which saves a clock read per resource. Outside any callback, read it.
            const tsUs = depth > 0 && depth <= MAX_DEPTH ? (stackStartUs[depth - 1] ?? 0) : ring.nowUs();
            ring.write(Kind.asyncInit, tsUs, 0, asyncId, triggerAsyncId, 0, ring.intern(type), 0);
          } catch (error) {
            report(error);
          }
        },
        before(asyncId: number) {
          if (depth < MAX_DEPTH) {
            stackIds[depth] = asyncId;
            stackStartUs[depth] = ring.nowUs();
          }
          depth++;
        },
        after(asyncId: number) {
          if (depth === 0) return;
          depth--;
          if (depth >= MAX_DEPTH || stackIds[depth] !== asyncId) return;
          try {
            const startUs = stackStartUs[depth] ?? 0;
            const slot = asyncId & MASK;
            const type = typeIds[slot] === asyncId ? types[slot] : undefined;
            ring.write(Kind.asyncCallback, startUs, ring.nowUs() - startUs, asyncId, 0, 0, type === undefined ? 0 : ring.intern(type), 0);
          } catch (error) {
            report(error);
          }
        },
      });
      hook.enable();
      return () => {
        hook.disable();
      };
    },
  };
}

/**
 * `asyncInit` (52): ts = the start of the callback that created the resource (or the creation
 * time outside any callback), id = asyncId, a = triggerAsyncId, s1 = resource type.
 * → flow start `s`, name `async`, cat `async`, id = asyncId (binds to the enclosing slice:
 * the callback that created the resource).
 */
export function decodeAsyncInit(record: RecordView, out: DecodeContext): void {
  out.emit({ name: FLOW_NAME, cat: 'async', ph: 's', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id,
    args: { type: record.s1 ?? '', asyncId: record.id, triggerAsyncId: record.a } });
}

/**
 * `asyncCallback` (53): ts = callback start, dur = µs, id = asyncId, s1 = resource type.
 * → complete `X` named by the type (`Timeout`, `PROMISE`, `TCPWRAP`, ...), cat `async`, then
 * the flow end `f` (bp `e`) of the same id at its start.
 */
export function decodeAsyncCallback(record: RecordView, out: DecodeContext): void {
  out.emit({ name: record.s1 || 'callback', cat: 'async', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args: { asyncId: record.id } });
  out.emit({ name: FLOW_NAME, cat: 'async', ph: 'f', bp: 'e', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id });
}
