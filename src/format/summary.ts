// What a snapshot says at a glance: where time went (slowest requests, longest loop blocks, GC,
// hottest functions), what went wrong (errors, triggers), and how complete it is (window,
// dropped events). Used by `cli summary`, the viewer's summary tables and the extension.
import type { LoadedTrace } from './read';
import { NON_CODE_FRAMES, ProfileChunks, sampleDurationUs } from './profile-chunks';
import { EventNames, type TraceEvent } from './trace-event';
import { isJsonObject } from './json-object';
import { programFrame, type StackFrame } from './stack';
import { whileOpen, type TimeSpan } from './while-open';

export interface RequestSummary {
  kind: 'server' | 'client';
  /** The span's name, e.g. `GET /hello`. */
  name: string;
  method?: string;
  url?: string;
  route?: string;
  status?: number;
  error?: string;
  durationMs: number;
  /** µs on the trace clock. */
  ts: number;
  pid: number;
  tid: number;
  /** Still running when the snapshot was taken: duration counts up to the window's end. */
  inFlight: boolean;
  /** The request headers recorded (`recordHeaders`), e.g. its x-request-id. */
  headers?: Record<string, string>;
  /** What its thread did while it was open (while-open.ts): set on the slowest requests listed. */
  during?: RequestDuring;
}

/** While a request was open: its thread's loop blocked, GC pauses, outgoing requests (server requests), ms. */
export interface RequestDuring {
  blockedMs: number;
  blocks: number;
  gcMs: number;
  collections: number;
  outgoingMs: number;
  outgoing: number;
  /** Where the longest of those blocks was spent, when its frames are known (the program's frame: programFrame). */
  where?: StackFrame;
}

export interface LoopBlockSummary {
  durationMs: number;
  ts: number;
  pid: number;
  tid: number;
  frames?: StackFrame[];
  /** Still under way when the snapshot was taken. */
  ongoing?: boolean;
}

export interface GcKindSummary {
  kind: string;
  count: number;
  totalMs: number;
  maxMs: number;
  /** Heap freed by the collections that say (heapBeforeMB − heapAfterMB: traced minor and major ones), MB; absent when none does. */
  freedMB?: number;
  /** How many of `count` said how much they freed (with freedMB). */
  freedCount?: number;
}

export interface ErrorSummary {
  /** The event name: `Uncaught exception`, `Unhandled rejection`, `Warning`, ... */
  type: string;
  message: string;
  stack?: string;
  ts: number;
  pid: number;
}

export interface TriggerSummary {
  name: string;
  reason: string;
  rule?: string;
  value?: number;
  threshold?: number;
  ts: number;
  pid: number;
  frames?: StackFrame[];
  /** Main thread stuck: how long its event loop had been blocked when probed (at least). */
  blockedMs?: number;
}

export interface HotFunction {
  functionName: string;
  url: string;
  /** 1-based (V8's 0-based call frames converted). */
  lineNumber: number;
  columnNumber: number;
  selfMs: number;
  /** Share of the sampled (non-idle) time, 0..100. */
  percent: number;
}

export interface TraceSummary {
  window: { startTs: number; endTs: number; durationMs: number };
  eventCount: number;
  droppedEvents: number | null;
  processes: { pid: number; name?: string; threads: { tid: number; name?: string }[] }[];
  categories: { cat: string; count: number }[];
  /** The snapshot's own trigger (metadata.trigger), when the file is a snapshot. */
  trigger?: { reason: string; source?: string; rule?: string; value?: number; threshold?: number; ts: number };
  /** Trigger instants in the events (`trigger` category). */
  triggers: TriggerSummary[];
  /** Slowest first; server and client together (see `kind`). */
  slowestRequests: RequestSummary[];
  requestCount: { server: number; client: number };
  loopBlocks: LoopBlockSummary[];
  gc: { count: number; totalMs: number; maxMs: number; byKind: GcKindSummary[] };
  errors: ErrorSummary[];
  hotFunctions: HotFunction[];
  /** Total sampled CPU time, ms (0 without Profile samples). */
  sampledMs: number;
}

export interface SummaryOptions {
  /** Rows kept in each top list. Default 10. */
  top?: number;
}

type Json = Record<string, unknown>;
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * MB of heap a GC event's args say the collection freed (heapBeforeMB − heapAfterMB: traced minor
 * and major collections carry them), or undefined. Shared by `cli summary` and the viewer's GC tab.
 */
export function heapFreedMB(args: Record<string, unknown> | undefined): number | undefined {
  const before = args?.heapBeforeMB;
  const after = args?.heapAfterMB;
  return typeof before === 'number' && typeof after === 'number' && Number.isFinite(before - after) ? before - after : undefined;
}
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const ms = (us: number) => Math.round(us) / 1000;

export function summarizeTrace(trace: LoadedTrace, options: SummaryOptions = {}): TraceSummary {
  const top = options.top ?? 10;
  const { startTs, endTs } = trace.window;
  const categories = new Map<string, number>();
  const processes = new Map<number, { name?: string; threads: Map<number, string | undefined> }>();
  const requests: RequestSummary[] = [];
  const openSpans = new Map<string, RequestSummary[]>();
  const loopBlocks: LoopBlockSummary[] = [];
  const gcPauses: (TimeSpan & { pid: number; tid: number })[] = [];
  const gcKinds = new Map<string, GcKindSummary>();
  const errors: ErrorSummary[] = [];
  const triggers: TriggerSummary[] = [];
  const profiles = new ProfileAccumulator();

  const processOf = (pid: number) => {
    let entry = processes.get(pid);
    if (!entry) processes.set(pid, (entry = { threads: new Map() }));
    return entry;
  };

  for (const event of trace.traceEvents) {
    const cat = event.cat ?? '';
    const args = isJsonObject(event.args) ? event.args : {};
    if (event.ph === 'M') {
      if (event.name === EventNames.processName) processOf(event.pid).name = str(args.name);
      if (event.name === EventNames.threadName) processOf(event.pid).threads.set(event.tid, str(args.name));
      continue;
    }
    const thread = processOf(event.pid).threads;
    if (!thread.has(event.tid)) thread.set(event.tid, undefined);
    categories.set(cat, (categories.get(cat) ?? 0) + 1);

    if (cat === 'http.server' || cat === 'http.client') {
      const kind = cat === 'http.server' ? 'server' : 'client';
      if (event.ph === 'X') {
        requests.push(requestFrom(kind, event, args, event.dur ?? 0, false));
      } else if (event.ph === 'b') {
        const span = requestFrom(kind, event, args, Math.max(0, endTs - event.ts), true);
        const key = `${event.pid}\u0000${cat}\u0000${String(event.id)}`;
        const stack = openSpans.get(key);
        if (stack) stack.push(span);
        else openSpans.set(key, [span]);
        requests.push(span);
      } else if (event.ph === 'e') {
        const key = `${event.pid}\u0000${cat}\u0000${String(event.id)}`;
        const span = openSpans.get(key)?.pop();
        if (span) {
          span.inFlight = false;
          span.durationMs = ms(Math.max(0, event.ts - span.ts));
          const status = num(args.status) ?? num(args.statusCode);
          if (status !== undefined) span.status = status;
          const error = str(args.error);
          if (error !== undefined) span.error = error;
          // Frameworks learn the route while handling: it arrives on the end event.
          const route = str(args.route);
          if (route !== undefined) span.route = route;
          if (args.aborted === true && span.status === undefined && span.error === undefined) span.error = 'aborted by the client';
        }
      }
      continue;
    }
    if (cat === 'eventloop' && event.ph === 'X') {
      const block: LoopBlockSummary = { durationMs: ms(event.dur ?? 0), ts: event.ts, pid: event.pid, tid: event.tid };
      const frames = framesOf(args.frames);
      if (frames) block.frames = frames;
      if (args.ongoing === true) block.ongoing = true;
      loopBlocks.push(block);
      continue;
    }
    if (cat === 'gc' && event.ph === 'X') {
      const kind = str(args.kind) ?? /\((.*)\)/.exec(event.name)?.[1] ?? 'unknown';
      const durationMs = ms(event.dur ?? 0);
      gcPauses.push({ startUs: event.ts, endUs: event.ts + (event.dur ?? 0), pid: event.pid, tid: event.tid });
      const entry = gcKinds.get(kind) ?? { kind, count: 0, totalMs: 0, maxMs: 0 };
      entry.count++;
      entry.totalMs += durationMs;
      entry.maxMs = Math.max(entry.maxMs, durationMs);
      const freed = heapFreedMB(args);
      if (freed !== undefined) {
        entry.freedMB = (entry.freedMB ?? 0) + freed;
        entry.freedCount = (entry.freedCount ?? 0) + 1;
      }
      gcKinds.set(kind, entry);
      continue;
    }
    if (cat === 'error') {
      const message = str(args.message) ?? str(args.error) ?? str(args.reason) ?? str(args.text) ?? '';
      const error: ErrorSummary = { type: event.name, message, ts: event.ts, pid: event.pid };
      const stack = str(args.stack);
      if (stack !== undefined) error.stack = stack;
      errors.push(error);
      continue;
    }
    if (cat === 'trigger' && (event.ph === 'i' || event.ph === 'I' || event.ph === 'n')) {
      const entry: TriggerSummary = { name: event.name, reason: str(args.reason) ?? event.name, ts: event.ts, pid: event.pid };
      const rule = str(args.rule);
      if (rule !== undefined) entry.rule = rule;
      const value = num(args.value);
      if (value !== undefined) entry.value = value;
      const threshold = num(args.threshold);
      if (threshold !== undefined) entry.threshold = threshold;
      const frames = framesOf(args.frames);
      if (frames) entry.frames = frames;
      const blockedMs = num(args.blockedMs);
      if (blockedMs !== undefined) entry.blockedMs = blockedMs;
      triggers.push(entry);
      continue;
    }
    if (event.ph === 'P') profiles.add(event);
  }

  const gcList = [...gcKinds.values()].map((k) => ({ ...k, totalMs: round3(k.totalMs), ...(k.freedMB === undefined ? {} : { freedMB: round3(k.freedMB) }) })).sort((a, b) => b.totalMs - a.totalMs);
  const metadata = trace.metadata;
  const summary: TraceSummary = {
    window: { startTs, endTs, durationMs: ms(endTs - startTs) },
    eventCount: trace.traceEvents.length,
    droppedEvents: metadata && num(metadata.droppedEvents) !== undefined ? (metadata.droppedEvents as number) : null,
    processes: [...processes.entries()].sort((a, b) => a[0] - b[0]).map(([pid, p]) => {
      const entry: TraceSummary['processes'][number] = {
        pid,
        threads: [...p.threads.entries()].sort((a, b) => a[0] - b[0]).map(([tid, name]) => (name === undefined ? { tid } : { tid, name })),
      };
      if (p.name !== undefined) entry.name = p.name;
      return entry;
    }),
    categories: [...categories.entries()].map(([cat, count]) => ({ cat, count })).sort((a, b) => b.count - a.count || a.cat.localeCompare(b.cat)),
    triggers,
    slowestRequests: withDuring([...requests].sort((a, b) => b.durationMs - a.durationMs).slice(0, top), requests, loopBlocks, gcPauses),
    requestCount: { server: requests.filter((r) => r.kind === 'server').length, client: requests.filter((r) => r.kind === 'client').length },
    loopBlocks: loopBlocks.sort((a, b) => b.durationMs - a.durationMs).slice(0, top),
    gc: {
      count: gcList.reduce((sum, k) => sum + k.count, 0),
      totalMs: round3(gcList.reduce((sum, k) => sum + k.totalMs, 0)),
      maxMs: gcList.reduce((max, k) => Math.max(max, k.maxMs), 0),
      byKind: gcList,
    },
    errors,
    ...profiles.result(top),
  };
  const trigger = metadata && isJsonObject(metadata.trigger) ? metadata.trigger : undefined;
  if (trigger) {
    const t: NonNullable<TraceSummary['trigger']> = { reason: str(trigger.reason) ?? '', ts: num(trigger.ts) ?? 0 };
    if (str(trigger.source) !== undefined) t.source = trigger.source;
    if (str(trigger.rule) !== undefined) t.rule = trigger.rule;
    if (num(trigger.value) !== undefined) t.value = trigger.value;
    if (num(trigger.threshold) !== undefined) t.threshold = trigger.threshold;
    summary.trigger = t;
  }
  return summary;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * `listed`, each given what its thread did while it was open (while-open.ts): its loop's
 * blocks and GC pauses on its thread, and for a server request the outgoing requests of its
 * process. Called before the blocks are cut to the top ones.
 */
function withDuring(listed: RequestSummary[], requests: readonly RequestSummary[], blocks: readonly LoopBlockSummary[], gcPauses: readonly (TimeSpan & { pid: number; tid: number })[]): RequestSummary[] {
  const spanOf = (ts: number, durationMs: number): TimeSpan => ({ startUs: ts, endUs: ts + durationMs * 1000 });
  // Outgoing requests by process, gathered once for all the listed server requests.
  const outgoingByPid = new Map<number, TimeSpan[]>();
  for (const r of requests) {
    if (r.kind !== 'client') continue;
    const list = outgoingByPid.get(r.pid);
    if (list) list.push(spanOf(r.ts, r.durationMs));
    else outgoingByPid.set(r.pid, [spanOf(r.ts, r.durationMs)]);
  }
  for (const request of listed) {
    const sameThread = <T extends { pid: number; tid: number }>(list: readonly T[]) => list.filter((x) => x.pid === request.pid && x.tid === request.tid);
    const threadBlocks = sameThread(blocks);
    const window = spanOf(request.ts, request.durationMs);
    const outgoing = request.kind === 'server' ? outgoingByPid.get(request.pid) ?? [] : [];
    const found = whileOpen(window, threadBlocks.map((b) => spanOf(b.ts, b.durationMs)), sameThread(gcPauses), outgoing);
    const during: RequestDuring = {
      blockedMs: ms(found.blockedUs), blocks: found.blocks, gcMs: ms(found.gcUs), collections: found.collections, outgoingMs: ms(found.outgoingUs), outgoing: found.outgoing,
    };
    const longest = threadBlocks
      .filter((b) => b.frames && b.ts < window.endUs && b.ts + b.durationMs * 1000 > window.startUs)
      .sort((a, b) => b.durationMs - a.durationMs)[0];
    const where = longest?.frames ? programFrame(longest.frames) : undefined;
    if (where) during.where = where;
    request.during = during;
  }
  return listed;
}

function requestFrom(kind: 'server' | 'client', event: TraceEvent, args: Json, durationUs: number, inFlight: boolean): RequestSummary {
  const span: RequestSummary = { kind, name: event.name, durationMs: ms(durationUs), ts: event.ts, pid: event.pid, tid: event.tid, inFlight };
  const method = str(args.method);
  if (method !== undefined) span.method = method;
  const url = str(args.url);
  if (url !== undefined) span.url = url;
  if (isJsonObject(args.headers)) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(args.headers)) if (typeof value === 'string') headers[name] = value;
    if (Object.keys(headers).length > 0) span.headers = headers;
  }
  const route = str(args.route);
  if (route !== undefined) span.route = route;
  const status = num(args.status) ?? num(args.statusCode);
  if (status !== undefined) span.status = status;
  const error = str(args.error);
  if (error !== undefined) span.error = error;
  return span;
}

function framesOf(value: unknown): StackFrame[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const frames: StackFrame[] = [];
  for (const f of value) {
    if (!isJsonObject(f)) continue;
    frames.push({
      functionName: str(f.functionName) ?? '',
      url: str(f.url) ?? '',
      lineNumber: num(f.lineNumber) ?? 0,
      columnNumber: num(f.columnNumber) ?? 0,
    });
  }
  return frames.length ? frames : undefined;
}

/**
 * Self time per function from Profile/ProfileChunk samples. A sample's time is the gap to the
 * next sample (what DevTools does); the last sample of a profile gets the previous gap.
 */
class ProfileAccumulator {
  private readonly chunks = new ProfileChunks();

  add(event: TraceEvent): void {
    this.chunks.add(event);
  }

  result(top: number): { hotFunctions: HotFunction[]; sampledMs: number } {
    const self = new Map<string, HotFunction & { selfUs: number }>();
    let totalUs = 0;
    for (const profile of this.chunks.profiles.values()) {
      const { samples, deltas, nodes } = profile;
      for (let i = 0; i < samples.length; i++) {
        const durationUs = sampleDurationUs(deltas, i);
        const node = nodes.get(samples[i]!);
        const frame = node && isJsonObject(node.callFrame) ? node.callFrame : undefined;
        const functionName = str(frame?.functionName) ?? '';
        if (NON_CODE_FRAMES.has(functionName)) continue;
        totalUs += durationUs;
        const url = str(frame?.url) ?? '';
        const lineNumber = (num(frame?.lineNumber) ?? -1) + 1;
        const columnNumber = (num(frame?.columnNumber) ?? -1) + 1;
        const key = `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`;
        const entry = self.get(key) ?? { functionName: functionName || '(anonymous)', url, lineNumber, columnNumber, selfMs: 0, percent: 0, selfUs: 0 };
        entry.selfUs += durationUs;
        self.set(key, entry);
      }
    }
    const hotFunctions = [...self.values()]
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, top)
      .map(({ selfUs, ...rest }) => ({ ...rest, selfMs: ms(selfUs), percent: totalUs > 0 ? Math.round((selfUs / totalUs) * 1000) / 10 : 0 }));
    return { hotFunctions, sampledMs: ms(totalUs) };
  }
}
