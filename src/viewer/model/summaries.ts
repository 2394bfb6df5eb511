// The summary tabs: slowest requests, longest loop blocks, GC totals, errors; and the
// aggregate of a box selection. Pure functions over the model.
import type { StackFrame } from '../../format/stack';
import { parseV8Stack, programFrame } from '../../format/stack';
import type { TraceEvent } from '../../format/trace-event';
import { heapFreedMB } from '../../format/summary';
import { isRecord } from './load';
import type { TimelineModel } from './model';
import { primaryCategory } from './tracks';

export interface SpanRow {
  span: number;
  durationUs: number;
  startUs: number;
  name: string;
  detail: string;
  failed: boolean;
  /** The title of the span's thread (loop blocks: whose loop was blocked). */
  thread?: string;
}

/** A thread's title as its lane shows it (its `thread_name`; the main thread's by default). */
export function threadTitle(model: TimelineModel, pid: number, tid: number): string {
  return model.processes.find((p) => p.pid === pid)?.threads.find((t) => t.tid === tid)?.title ?? `thread ${tid}`;
}

/** Arguments of a span: begin and end args merged (HTTP status lives on the end event). */
export function spanArgs(model: TimelineModel, span: number): Record<string, unknown> {
  const begin = model.events[model.spans.event[span]!]!;
  const endIndex = model.spans.endEvent[span]!;
  const end = endIndex >= 0 ? model.events[endIndex] : undefined;
  return { ...(begin.args ?? {}), ...(end?.args ?? {}) };
}

/**
 * Whether a span failed (HTTP status ≥ 500 or an error in spanArgs), parsing args only when a
 * hint says it may have. The hints come from the events' columns: no event is made for a span
 * that cannot have failed (a million of them on the summary path).
 */
export function spanFailed(model: TimelineModel, span: number): boolean {
  const endIndex = model.spans.endEvent[span]!;
  const mayFail = (endIndex >= 0 && model.fields.argsMayFail(endIndex)) || model.fields.argsMayFail(model.spans.event[span]!);
  if (!mayFail) return false;
  const args = spanArgs(model, span);
  return (typeof args.status === 'number' && args.status >= 500) || typeof args.error === 'string';
}

export function spanEvent(model: TimelineModel, span: number): TraceEvent {
  return model.events[model.spans.event[span]!]!;
}

function spansOfCategory(model: TimelineModel, categories: string[]): number[] {
  const list: number[] = [];
  for (let k = 0; k < model.spans.count; k++) {
    if (categories.includes(primaryCategory(model.fields.cat(model.spans.event[k]!)))) list.push(k);
  }
  return list;
}

function topByDuration(model: TimelineModel, list: number[], limit: number): number[] {
  const { startUs, endUs } = model.spans;
  return list.sort((a, b) => endUs[b]! - startUs[b]! - (endUs[a]! - startUs[a]!)).slice(0, limit);
}

/** The longest HTTP spans (server and client), longest first. */
export function slowestRequestSpans(model: TimelineModel, limit = 200): number[] {
  return topByDuration(model, spansOfCategory(model, ['http.server', 'http.client']), limit);
}

/** The events (begin and end) whose args describe these spans: what to fetch before showing them. */
export function spanArgEvents(model: TimelineModel, spans: readonly number[]): number[] {
  const events: number[] = [];
  for (const span of spans) {
    events.push(model.spans.event[span]!);
    const end = model.spans.endEvent[span]!;
    if (end >= 0) events.push(end);
  }
  return events;
}

export function slowestRequests(model: TimelineModel, limit = 200, list = slowestRequestSpans(model, limit)): SpanRow[] {
  return list.map((span) => {
    const args = spanArgs(model, span);
    const event = spanEvent(model, span);
    const status = typeof args.status === 'number' ? String(args.status) : typeof args.error === 'string' ? args.error : model.spans.endEvent[span]! < 0 ? 'unfinished' : '';
    const kind = primaryCategory(event.cat) === 'http.server' ? 'server' : typeof args.api === 'string' ? args.api : 'client';
    return {
      span,
      durationUs: model.spans.endUs[span]! - model.spans.startUs[span]!,
      startUs: model.spans.startUs[span]!,
      name: event.name,
      detail: `${kind}${status ? ` · ${status}` : ''}`,
      failed: (typeof args.status === 'number' && args.status >= 500) || typeof args.error === 'string',
    };
  });
}

export function longestLoopBlocks(model: TimelineModel, limit = 200): SpanRow[] {
  const list = topByDuration(model, spansOfCategory(model, ['eventloop']), limit);
  return list.map((span) => {
    const args = spanArgs(model, span);
    const where = whereText(framesOf(args));
    const event = spanEvent(model, span);
    return {
      span,
      durationUs: model.spans.endUs[span]! - model.spans.startUs[span]!,
      startUs: model.spans.startUs[span]!,
      name: event.name,
      thread: threadTitle(model, event.pid, event.tid),
      // A block still under way when the snapshot was taken (a hung main thread) says so.
      detail: args?.ongoing === true ? (where ? `${where} (still blocked)` : 'still blocked') : where,
      failed: false,
    };
  });
}

export interface GcKindTotals {
  kind: string;
  count: number;
  totalUs: number;
  maxUs: number;
  /** Heap the collections that say (V8's used heap before and after: traced minor and major ones) freed, MB. */
  freedMB: number;
  /** How many of `count` said how much they freed. */
  measured: number;
}

export interface GcTotals {
  kinds: GcKindTotals[];
  totalUs: number;
  count: number;
  /** Heap freed by the collections that say (see GcKindTotals.freedMB), and how many said. */
  freedMB: number;
  measured: number;
  windowUs: number;
  /** The longest pauses; `detail` is the heap freed ("freed 12.4 MB") where known. */
  longest: SpanRow[];
}

/** "12.4 MB", "640 KB", "-1.2 MB" (a collection can end with more heap in use than it began). */
export function formatMegabytes(mb: number): string {
  const size = Math.abs(mb);
  if (size >= 1024) return `${(mb / 1024).toFixed(size >= 10 * 1024 ? 1 : 2)} GB`;
  if (size >= 1) return `${mb.toFixed(size >= 100 ? 0 : 1)} MB`;
  return `${Math.round(mb * 1024)} KB`;
}

export function gcTotals(model: TimelineModel, limit = 100): GcTotals {
  const list = spansOfCategory(model, ['gc']);
  const byKind = new Map<string, GcKindTotals>();
  let totalUs = 0;
  let freedMB = 0;
  let measured = 0;
  for (const span of list) {
    const event = spanEvent(model, span);
    const args = event.args ?? {};
    const kind = typeof args.kind === 'string' ? args.kind : /\((.*)\)/.exec(event.name)?.[1] ?? event.name;
    const dur = model.spans.endUs[span]! - model.spans.startUs[span]!;
    let entry = byKind.get(kind);
    if (!entry) byKind.set(kind, (entry = { kind, count: 0, totalUs: 0, maxUs: 0, freedMB: 0, measured: 0 }));
    entry.count++;
    entry.totalUs += dur;
    entry.maxUs = Math.max(entry.maxUs, dur);
    totalUs += dur;
    const freed = heapFreedMB(args);
    if (freed !== undefined) {
      entry.freedMB += freed;
      entry.measured++;
      freedMB += freed;
      measured++;
    }
  }
  const longest = topByDuration(model, list, limit).map((span) => {
    const event = spanEvent(model, span);
    const freed = heapFreedMB(event.args);
    return {
      span,
      durationUs: model.spans.endUs[span]! - model.spans.startUs[span]!,
      startUs: model.spans.startUs[span]!,
      name: event.name,
      detail: freed === undefined ? '' : `freed ${formatMegabytes(freed)}`,
      failed: false,
    };
  });
  return { kinds: [...byKind.values()].sort((a, b) => b.totalUs - a.totalUs), totalUs, count: list.length, freedMB, measured, windowUs: model.endUs - model.startUs, longest };
}

export interface ErrorRow {
  /** An instant event index, or a span (failed request). */
  event: number;
  span: number;
  ts: number;
  name: string;
  message: string;
}

/** The Errors tab's rows, oldest first: the newest `limit` of allErrors. */
export function errorRows(model: TimelineModel, limit = 500): ErrorRow[] {
  return newestErrors(model, limit).rows;
}

/** The newest `limit` errors, oldest first, and how many the window holds in all. */
export function newestErrors(model: TimelineModel, limit = 500): { rows: ErrorRow[]; total: number } {
  const all = allErrors(model);
  return { rows: all.sort((a, b) => a.ts - b.ts).slice(-limit), total: all.length };
}

/** How many errors the window holds (the Errors tab's badge). */
export function errorCount(model: TimelineModel): number {
  return allErrors(model).length;
}

/**
 * Every error in the window, in no order: exceptions, rejections, warnings and console output
 * at error level or on stderr (instants), and requests that failed (status ≥ 500 or an error).
 */
function allErrors(model: TimelineModel): ErrorRow[] {
  const rows: ErrorRow[] = [];
  for (const track of model.tracks) {
    if (track.kind !== 'instants') continue;
    for (let k = 0; k < track.count; k++) {
      const event = model.events[track.ref[k]!]!;
      const cat = primaryCategory(event.cat);
      const isError = cat === 'error' || /exception|rejection|^warning/i.test(event.name) || (cat === 'console' && isRecord(event.args) && (event.args.level === 'error' || event.args.stream === 'stderr'));
      if (isError) rows.push({ event: track.ref[k]!, span: -1, ts: event.ts, name: event.name, message: messageOf(event.args) });
    }
  }
  for (let span = 0; span < model.spans.count; span++) {
    // The category from the columns and the scanned events' hint first: making every span's
    // event, or parsing the args of every request, would take seconds.
    const cat = primaryCategory(model.fields.cat(model.spans.event[span]!));
    if (cat !== 'http.server' && cat !== 'http.client') continue;
    if (!spanFailed(model, span)) continue;
    const args = spanArgs(model, span);
    rows.push({ event: -1, span, ts: model.spans.startUs[span]!, name: spanEvent(model, span).name, message: typeof args.error === 'string' ? args.error : `HTTP ${String(args.status)}` });
  }
  return rows;
}

export function messageOf(args: Record<string, unknown> | undefined): string {
  if (!args) return '';
  for (const key of ['message', 'text', 'error', 'reason', 'line']) {
    const value = args[key];
    if (typeof value === 'string') return value.split('\n')[0]!;
  }
  return '';
}

/** Stack frames carried by an event's args: `frames` (our format), `stack` (a V8 stack string), or `data.stackTrace`. */
export function framesOf(args: Record<string, unknown> | undefined): StackFrame[] {
  if (!args) return [];
  const raw = Array.isArray(args.frames) ? args.frames : isRecord(args.data) && Array.isArray(args.data.stackTrace) ? args.data.stackTrace : undefined;
  if (raw) {
    const frames: StackFrame[] = [];
    for (const frame of raw) {
      if (!isRecord(frame)) continue;
      const url = typeof frame.url === 'string' ? frame.url : '';
      const lineNumber = typeof frame.lineNumber === 'number' ? frame.lineNumber : 0;
      const columnNumber = typeof frame.columnNumber === 'number' ? frame.columnNumber : 0;
      frames.push({ functionName: typeof frame.functionName === 'string' ? frame.functionName : '', url, lineNumber, columnNumber });
      if (frames.length >= 64) break;
    }
    return frames;
  }
  if (typeof args.stack === 'string') return parseV8Stack(args.stack);
  return [];
}

/** `fn file:line` of where a thread was (the program's frame: programFrame), or ''. */
export function whereText(frames: readonly StackFrame[]): string {
  const frame = programFrame(frames);
  return frame ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber}` : '';
}

export function shortUrl(url: string): string {
  const clean = url.replace(/^file:\/\//, '');
  const parts = clean.split('/');
  return parts.length > 2 ? parts.slice(-2).join('/') : clean;
}

export interface SelectionStats {
  startUs: number;
  endUs: number;
  spanCount: number;
  byName: { name: string; category: string; count: number; totalUs: number; maxUs: number; firstSpan: number }[];
}

/** Aggregates the spans of the given tracks that intersect [t0, t1], grouped by name. */
export function selectionStats(model: TimelineModel, trackIndices: number[], t0: number, t1: number): SelectionStats {
  const byName = new Map<string, SelectionStats['byName'][number]>();
  let spanCount = 0;
  for (const index of trackIndices) {
    const track = model.tracks[index];
    if (!track || track.kind !== 'slices') continue;
    for (const row of track.rows) {
      for (let i = 0; i < row.count; i++) {
        const s = row.startUs[i]!;
        const e = row.endUs[i]!;
        if (e < t0 || s > t1) continue;
        const span = row.ref[i]!;
        const name = model.fields.name(model.spans.event[span]!);
        const cat = model.fields.cat(model.spans.event[span]!);
        const key = `${cat ?? ''}\u0000${name}`;
        let entry = byName.get(key);
        if (!entry) byName.set(key, (entry = { name, category: primaryCategory(cat), count: 0, totalUs: 0, maxUs: 0, firstSpan: span }));
        const dur = Math.min(e, t1) - Math.max(s, t0);
        entry.count++;
        entry.totalUs += dur;
        entry.maxUs = Math.max(entry.maxUs, e - s);
        spanCount++;
      }
    }
  }
  return { startUs: t0, endUs: t1, spanCount, byName: [...byName.values()].sort((a, b) => b.totalUs - a.totalUs) };
}
