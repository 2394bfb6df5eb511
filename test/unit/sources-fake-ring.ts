// An in-memory EventRing and source context for unit tests of the event sources: records are
// kept as views (strings resolved) and decoded with the sources' own decoder table.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EventRing, EventSource, RecordView, RuleHooks, SourceContext } from '../../src/recorder/contracts';
import type { TraceEvent } from '../../src/format/trace-event';
import { decoders } from '../../src/recorder/sources/index';
import { createLoopTickWork, type LoopTickWork } from '../../src/recorder/loop-tick-work';
import { redactHeaders, redactUrl } from '../../src/recorder/redact';

export class FakeRing implements EventRing {
  readonly records: RecordView[] = [];
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [''];
  // The trace clock: hrtime µs (V8's profiler stamps samples on it too).
  private readonly offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  nowUs(): number {
    return performance.now() * 1000 + this.offsetUs;
  }
  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
  appendString(text: string): number {
    this.texts.push(text);
    return this.texts.length - 1;
  }
  stringText(id: number): string | undefined {
    return id === 0 ? undefined : this.texts[id];
  }
  /** The due times the event loop's tick noted (noteLoopTickDue). */
  readonly loopTicksDueUs: number[] = [];
  noteLoopTickDue(dueUs: number): void {
    this.loopTicksDueUs.push(dueUs);
  }
  write(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): void {
    this.records.push({ kind, tsUs, durUs, id: id >>> 0, a, b, s1: s1 ? this.texts[s1] : undefined, s2: s2 ? this.texts[s2] : undefined, string: (stringId) => (stringId ? this.texts[stringId] : undefined) });
  }
  writeOpen(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): number {
    this.write(kind, tsUs, durUs, id, a, b, s1, s2);
    return this.records.length;
  }
  complete(sequence: number, kind: number, durUs: number, b: number): boolean {
    const record = this.records[sequence - 1];
    if (record === undefined) return false;
    this.records[sequence - 1] = { ...record, kind, durUs, b };
    return true;
  }
  decode(pid = 1, tid = 0): TraceEvent[] {
    const events: TraceEvent[] = [];
    // One context for the whole pass, as the core's snapshot builder does per thread.
    const context = { pid, tid, emit: (event: TraceEvent) => void events.push(event), redactUrl: (url: string) => redactUrl(url) };
    for (const record of this.records) decoders.get(record.kind)?.(record, context);
    return events;
  }
}

export interface RuleCalls {
  requests: [number, number, string][];
  blocks: number[];
  heap: number[];
  gc: number[];
}

export function fakeContext(ring = new FakeRing()): { ring: FakeRing; context: SourceContext; rules: RuleCalls; hookErrors: unknown[]; tickWork: LoopTickWork } {
  const rules: RuleCalls = { requests: [], blocks: [], heap: [], gc: [] };
  const tickWork = createLoopTickWork();
  const hookErrors: unknown[] = [];
  const hooks: RuleHooks = {
    requestFinished: (durationMs, status, name, redactName) => rules.requests.push([durationMs, status, redactName ? redactName(name) : name]),
    loopBlocked: (durationMs) => rules.blocks.push(durationMs),
    heapSampled: (mb) => rules.heap.push(mb),
    gcPaused: (ms) => rules.gc.push(ms),
  };
  const context: SourceContext = {
    ring,
    rules: hooks,
    tid: 0,
    guard: ((_name: string, hook: (...args: unknown[]) => unknown) => function (this: unknown, ...args: unknown[]) {
      try {
        return hook.apply(this, args);
      } catch (error) {
        hookErrors.push(error);
        return undefined;
      }
    }) as SourceContext['guard'],
    redactUrl: (url) => redactUrl(url),
    appendUrl: (url) => ring.appendString(url),
    redactHeaders: (headers) => redactHeaders(headers),
    onLoopTick: tickWork.onLoopTick,
    runLoopTickWork: tickWork.runLoopTickWork,
  };
  return { ring, context, rules, hookErrors, tickWork };
}

/**
 * Installs `sources` into a fresh fake context, returned with an uninstall function. Its loop
 * tick (the work sources give onLoopTick) runs every `tickMs`, as the event-loop source's
 * would; with 0, only when the test runs it.
 */
export function installSources(sources: EventSource[], tickMs = 50) {
  const made = fakeContext();
  const uninstalls = sources.map((source) => source.install(made.context));
  const ticks = tickMs > 0 ? setInterval(made.context.runLoopTickWork, tickMs) : undefined;
  ticks?.unref();
  return {
    ...made,
    uninstall: () => {
      clearInterval(ticks);
      uninstalls.forEach((undo) => undo());
    },
  };
}

/** Polls until `check` returns true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Listens on a free loopback port; answers the server's base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and the connections it still holds. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
