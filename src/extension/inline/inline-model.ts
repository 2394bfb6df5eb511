// Where time went, by source line, from one snapshot: the lines where the event loop was
// blocked, the lines CPU samples landed on (self time), and the code the slowest requests spent
// their CPU in. Pure (no vscode, no node:): unit-tested; the editor side maps and draws it.
//
// Attribution, in order of trust:
//  1. a loop block's own frames (`args.frames`, taken by the recorder while it was blocked);
//  2. otherwise the CPU samples inside the block's / the request's time on the same thread:
//     the user-code line with the most self time there;
//  3. CPU samples on their own give hot lines (V8's `positionTicks` when present, else the
//     function's first line) and per-function CPU share.
import type { LoadedTrace } from '../../format/read';
import { isInternalFrame, type StackFrame } from '../../format/stack';
import { NON_CODE_FRAMES, ProfileChunks, sampleDurationUs } from '../../format/profile-chunks';
import { EventNames, type TraceEvent } from '../../format/trace-event';

export type InlineKind = 'block' | 'span' | 'cpu';

export interface InlineItem {
  kind: InlineKind;
  /** file:// URL or absolute path, as the trace has it. */
  url: string;
  /** 1-based. */
  lineNumber: number;
  columnNumber: number;
  /** The function the line is in, when known (CPU samples, frames). */
  functionName: string;
  /** 1-based first line of that function, when known (profile call frames). */
  functionLine?: number;
  durationMs: number;
  /** CPU share of the sampled time, 0..100 (kind `cpu`). */
  percent?: number;
  /** One line for the hover: `GET /report 412 ms (500)`, `Event loop blocked 310 ms`. */
  title: string;
  /** µs on the trace clock: lets the timeline select the event. */
  ts: number;
}

export interface InlineModel {
  items: InlineItem[];
  /** Sampled CPU time of the snapshot, ms (0 without CPU sampling). */
  sampledMs: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const round = (value: number) => Math.round(value * 10) / 10;

interface Sample {
  /** µs on the trace clock. */
  ts: number;
  durationUs: number;
  tid: number;
  pid: number;
  frame?: StackFrame & { functionLine: number };
}

function userCode(url: string): boolean {
  return url !== '' && !isInternalFrame({ url, functionName: '', lineNumber: 0, columnNumber: 0 }) && !url.includes('/node_modules/');
}

/**
 * One sample per profile tick, with the line it ran: V8's `positionTicks` give lines inside the
 * function; without them the function's first line stands in.
 */
function collectSamples(events: readonly TraceEvent[]): Sample[] {
  const chunks = new ProfileChunks();
  for (const event of events) chunks.add(event);
  const out: Sample[] = [];
  for (const state of chunks.profiles.values()) {
    let ts = state.startTime;
    for (let i = 0; i < state.samples.length; i++) {
      ts += state.deltas[i] ?? 0;
      const durationUs = sampleDurationUs(state.deltas, i);
      const node = state.nodes.get(state.samples[i] as number);
      const call = node && isObject(node.callFrame) ? node.callFrame : undefined;
      const functionName = str(call?.functionName) ?? '';
      if (NON_CODE_FRAMES.has(functionName)) {
        out.push({ ts, durationUs, tid: state.tid, pid: state.pid });
        continue;
      }
      const url = str(call?.url) ?? '';
      const functionLine = (num(call?.lineNumber) ?? 0) + 1;
      let lineNumber = functionLine;
      // positionTicks: where inside the function this node's ticks were; take the busiest line.
      const ticks = node && Array.isArray(node.positionTicks) ? node.positionTicks : [];
      let best = 0;
      for (const tick of ticks) {
        if (isObject(tick) && (num(tick.ticks) ?? 0) > best && num(tick.line) !== undefined) {
          best = num(tick.ticks) as number;
          lineNumber = num(tick.line) as number;
        }
      }
      out.push({
        ts,
        durationUs,
        tid: state.tid,
        pid: state.pid,
        frame: { functionName: functionName || '(anonymous)', url, lineNumber, columnNumber: (num(call?.columnNumber) ?? 0) + 1, functionLine },
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** The user-code line with the most sampled self time inside [startTs, endTs] on this thread. */
function hottestLineIn(samples: readonly Sample[], pid: number, tid: number, startTs: number, endTs: number): (StackFrame & { functionLine: number }) | undefined {
  const byLine = new Map<string, { frame: Sample['frame']; us: number }>();
  // Binary search the first sample at or after startTs.
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((samples[mid] as Sample).ts < startTs) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < samples.length && (samples[i] as Sample).ts <= endTs; i++) {
    const sample = samples[i] as Sample;
    if (sample.pid !== pid || sample.tid !== tid || !sample.frame || !userCode(sample.frame.url)) continue;
    const key = `${sample.frame.url}:${sample.frame.lineNumber}`;
    const entry = byLine.get(key) ?? { frame: sample.frame, us: 0 };
    entry.us += sample.durationUs;
    byLine.set(key, entry);
  }
  let best: { frame: Sample['frame']; us: number } | undefined;
  for (const entry of byLine.values()) if (!best || entry.us > best.us) best = entry;
  return best?.frame;
}

function firstUserFrame(frames: unknown): StackFrame | undefined {
  if (!Array.isArray(frames)) return undefined;
  for (const f of frames) {
    if (!isObject(f)) continue;
    const frame: StackFrame = { functionName: str(f.functionName) ?? '', url: str(f.url) ?? '', lineNumber: num(f.lineNumber) ?? 0, columnNumber: num(f.columnNumber) ?? 0 };
    if (frame.lineNumber > 0 && userCode(frame.url)) return frame;
  }
  return undefined;
}

interface Span {
  name: string;
  ts: number;
  endTs: number;
  pid: number;
  tid: number;
  status?: number;
  frames?: unknown;
}

/** Server and client request spans, async (b/e) or complete (X). */
function collectSpans(events: readonly TraceEvent[], windowEnd: number): Span[] {
  const open = new Map<string, Span>();
  const spans: Span[] = [];
  for (const event of events) {
    if (event.cat !== 'http.server' && event.cat !== 'http.client' && event.cat !== 'user') continue;
    const args = isObject(event.args) ? event.args : {};
    if (event.ph === 'X') {
      spans.push({ name: event.name, ts: event.ts, endTs: event.ts + (event.dur ?? 0), pid: event.pid, tid: event.tid, status: num(args.status), frames: args.frames });
    } else if (event.ph === 'b' && event.id !== undefined) {
      open.set(`${event.cat}\u0000${event.pid}\u0000${String(event.id)}`, { name: event.name, ts: event.ts, endTs: windowEnd, pid: event.pid, tid: event.tid, frames: args.frames });
    } else if (event.ph === 'e' && event.id !== undefined) {
      const key = `${event.cat}\u0000${event.pid}\u0000${String(event.id)}`;
      const span = open.get(key);
      if (!span) continue;
      open.delete(key);
      span.endTs = event.ts;
      span.status = num(args.status);
      spans.push(span);
    }
  }
  for (const span of open.values()) spans.push(span); // still running at the snapshot
  return spans;
}

export interface ModelOptions {
  /** Slowest spans kept. Default 10. */
  topSpans?: number;
  /** Hot lines kept. Default 20. */
  topLines?: number;
}

export function buildInlineModel(trace: LoadedTrace, options: ModelOptions = {}): InlineModel {
  const topSpans = options.topSpans ?? 10;
  const topLines = options.topLines ?? 20;
  const samples = collectSamples(trace.traceEvents);
  const items: InlineItem[] = [];

  // 1. Loop blocks.
  for (const event of trace.traceEvents) {
    if (event.name !== EventNames.loopBlock || event.ph !== 'X') continue;
    const durationUs = event.dur ?? 0;
    const args = isObject(event.args) ? event.args : {};
    const frame = firstUserFrame(args.frames) ?? hottestLineIn(samples, event.pid, event.tid, event.ts, event.ts + durationUs);
    if (!frame) continue;
    items.push({
      kind: 'block',
      url: frame.url,
      lineNumber: frame.lineNumber,
      columnNumber: frame.columnNumber,
      functionName: frame.functionName,
      functionLine: (frame as { functionLine?: number }).functionLine,
      durationMs: round(durationUs / 1000),
      title: `Event loop blocked ${round(durationUs / 1000)} ms`,
      ts: event.ts,
    });
  }

  // 2. Slowest spans, placed where they spent their CPU (or where they began, when frames say).
  const spans = collectSpans(trace.traceEvents, trace.window.endTs).sort((a, b) => b.endTs - b.ts - (a.endTs - a.ts));
  let kept = 0;
  for (const span of spans) {
    if (kept >= topSpans) break;
    const frame = firstUserFrame(span.frames) ?? hottestLineIn(samples, span.pid, span.tid, span.ts, span.endTs);
    if (!frame) continue;
    kept++;
    const durationMs = round((span.endTs - span.ts) / 1000);
    items.push({
      kind: 'span',
      url: frame.url,
      lineNumber: frame.lineNumber,
      columnNumber: frame.columnNumber,
      functionName: frame.functionName,
      functionLine: (frame as { functionLine?: number }).functionLine,
      durationMs,
      title: `${span.name} ${durationMs} ms${span.status ? ` (${span.status})` : ''}`,
      ts: span.ts,
    });
  }

  // 3. Hot lines from CPU samples.
  let sampledUs = 0;
  const byLine = new Map<string, { frame: NonNullable<Sample['frame']>; us: number; ts: number }>();
  for (const sample of samples) {
    if (!sample.frame) continue;
    sampledUs += sample.durationUs;
    if (!userCode(sample.frame.url)) continue;
    const key = `${sample.frame.url}:${sample.frame.lineNumber}`;
    const entry = byLine.get(key) ?? { frame: sample.frame, us: 0, ts: sample.ts };
    entry.us += sample.durationUs;
    byLine.set(key, entry);
  }
  const hot = [...byLine.values()].sort((a, b) => b.us - a.us).slice(0, topLines);
  for (const { frame, us, ts } of hot) {
    const percent = sampledUs > 0 ? round((us / sampledUs) * 100) : 0;
    items.push({
      kind: 'cpu',
      url: frame.url,
      lineNumber: frame.lineNumber,
      columnNumber: frame.columnNumber,
      functionName: frame.functionName,
      functionLine: frame.functionLine,
      durationMs: round(us / 1000),
      percent,
      title: `${percent} % CPU (${round(us / 1000)} ms self) in ${frame.functionName}`,
      ts,
    });
  }
  return { items, sampledMs: round(sampledUs / 1000) };
}

export interface FunctionLens {
  functionName: string;
  /** 1-based line the lens sits on. */
  lineNumber: number;
  blocks: number;
  blockMs: number;
  spans: number;
  cpuPercent: number;
}

/** "3 blocks, 410 ms; 12 % CPU" — the CodeLens text of one function. */
export function lensText(lens: FunctionLens): string {
  const parts: string[] = [];
  if (lens.blocks) parts.push(`${lens.blocks} ${lens.blocks === 1 ? 'block' : 'blocks'}, ${Math.round(lens.blockMs)} ms`);
  if (lens.spans) parts.push(`${lens.spans} slow ${lens.spans === 1 ? 'request' : 'requests'}`);
  if (lens.cpuPercent) parts.push(`${round(lens.cpuPercent)} % CPU`);
  return parts.join('; ');
}

/**
 * Groups one file's items by function. `enclosing(line)` names the function a line is in and
 * its first line (from the editor's symbols); without it, profile function lines are used.
 */
export function functionLenses(items: readonly InlineItem[], enclosing?: (lineNumber: number) => { name: string; lineNumber: number } | undefined): FunctionLens[] {
  const lenses = new Map<number, FunctionLens>();
  for (const item of items) {
    const owner = enclosing?.(item.lineNumber) ?? (item.functionLine ? { name: item.functionName, lineNumber: item.functionLine } : { name: item.functionName, lineNumber: item.lineNumber });
    const lens = lenses.get(owner.lineNumber) ?? { functionName: owner.name, lineNumber: owner.lineNumber, blocks: 0, blockMs: 0, spans: 0, cpuPercent: 0 };
    if (item.kind === 'block') {
      lens.blocks++;
      lens.blockMs += item.durationMs;
    } else if (item.kind === 'span') lens.spans++;
    else lens.cpuPercent += item.percent ?? 0;
    lenses.set(owner.lineNumber, lens);
  }
  return [...lenses.values()].sort((a, b) => a.lineNumber - b.lineNumber);
}
