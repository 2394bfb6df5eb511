// The timeline model: every event of a trace sorted into process groups and tracks, with spans
// packed into typed-array rows for drawing. Built once per file in a few passes; pure (no DOM),
// so it is unit-tested under Node and measured by the benchmark.
//
// Steps:
//  1. one pass over the events: metadata names, spans (X, B/E pairs, b/e pairs) into a span
//     table, instants, counters, flow points, CPU profile events;
//  2. spans grouped by (pid, tid, track kind), sorted, laid out in rows (layout.ts);
//  3. CPU profiles become flame tracks, counters become counter tracks;
//  4. flows bound to the spans they leave and enter.
import type { SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import { colorFamilyOfCategory, colorIndex } from './colors';
import { buildCpuProfiles, type CpuProfileModel } from './cpu';
import { firstFitRows, packRows, sortByStartThenLongest, upperBound, type PackedRow } from './layout';
import type { LoadedTrace } from './load';
import { isRecord } from './load';
import { argsMayFail, hasArgs } from './scan-event';
import { counterOrder, instantTrackKind, primaryCategory, primarySeries, seriesLabel, seriesUnit, sliceTrackKind, type TrackKind } from './tracks';

export interface SpanTable {
  count: number;
  startUs: Float64Array;
  endUs: Float64Array;
  /** The X / B / b event of the span. */
  event: Int32Array;
  /** The E / e event, or -1. */
  endEvent: Int32Array;
  /** Where the span is drawn. */
  track: Int32Array;
  row: Int32Array;
}

interface TrackBase {
  index: number;
  /** Stable across reloads (collapse state is saved by it). */
  id: string;
  title: string;
  /** Category name for the filter. */
  filter: string;
  pid: number;
  tid: number;
}
export interface SliceTrack extends TrackBase {
  kind: 'slices';
  rows: PackedRow[];
}
export interface FlameTrack extends TrackBase {
  kind: 'flame';
  rows: PackedRow[];
  cpu: CpuProfileModel;
}
export interface CounterSeries {
  key: string;
  label: string;
  unit: string;
  ts: Float64Array;
  values: Float64Array;
  count: number;
  maxValue: number;
}
export interface CounterTrack extends TrackBase {
  kind: 'counter';
  name: string;
  series: CounterSeries[];
  primary: number;
  maxValue: number;
  /** Event index of each sample (same for every series). */
  ref: Int32Array;
}
export interface InstantTrack extends TrackBase {
  kind: 'instants';
  ts: Float64Array;
  ref: Int32Array;
  color: Uint8Array;
  count: number;
}
export type Track = SliceTrack | FlameTrack | CounterTrack | InstantTrack;

export interface ThreadGroup {
  tid: number;
  title: string;
  tracks: Track[];
}
export interface ProcessGroup {
  id: string;
  pid: number;
  title: string;
  /** Process-wide counters first, then each thread's tracks. */
  counters: CounterTrack[];
  threads: ThreadGroup[];
}

/** Causality between two spans (flow events `s` → `f`). `TimelineModel.flows` is computed on first read. */
export interface Flow {
  fromSpan: number;
  toSpan: number;
  fromUs: number;
  toUs: number;
}

export interface TimelineModel {
  fileName: string;
  source: LoadedTrace['source'];
  events: TraceEvent[];
  metadata: Partial<SnapshotMetadata> | undefined;
  spans: SpanTable;
  tracks: Track[];
  processes: ProcessGroup[];
  cpuProfiles: CpuProfileModel[];
  flows: Flow[];
  /** Extent of all events, µs. */
  startUs: number;
  endUs: number;
  /** t = 0 of the axis: the trigger when there is one. */
  originUs: number;
  trigger: { ts: number; label: string; detail: string } | undefined;
  /** Distinct filter categories present, in track order. */
  categories: string[];
  skippedEvents: number;
  unmatchedEnds: number;
}

export function buildModel(loaded: LoadedTrace, fileName: string): TimelineModel {
  const { events, metadata } = loaded;
  const n = events.length;
  const spans: SpanTable = {
    count: 0,
    startUs: new Float64Array(n),
    endUs: new Float64Array(n),
    event: new Int32Array(n),
    endEvent: new Int32Array(n),
    track: new Int32Array(n),
    row: new Int32Array(n),
  };
  const processNames = new Map<number, string>();
  const threadNames = new Map<string, string>();
  const threadSort = new Map<string, number>();
  const syncStacks = new Map<string, number[]>();
  // pid → category → id → open begin events (Chrome pairs async events by category and id).
  const asyncOpen = new Map<number, Map<string, Map<unknown, number[]>>>();
  const asyncStack = (event: TraceEvent, create: boolean): number[] | undefined => {
    let byCat = asyncOpen.get(event.pid);
    if (!byCat) {
      if (!create) return undefined;
      asyncOpen.set(event.pid, (byCat = new Map()));
    }
    const cat = event.cat ?? '';
    let byId = byCat.get(cat);
    if (!byId) {
      if (!create) return undefined;
      byCat.set(cat, (byId = new Map()));
    }
    let stack = byId.get(event.id);
    if (!stack && create) byId.set(event.id, (stack = []));
    return stack;
  };
  const instantIndices: number[] = [];
  const counterIndices: number[] = [];
  const profileIndices: number[] = [];
  const flowPoints = new Map<string, number[]>();
  let unmatchedEnds = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;

  const addSpan = (eventIndex: number, start: number, end: number, endEvent: number) => {
    const k = spans.count++;
    spans.startUs[k] = start;
    spans.endUs[k] = end < start ? start : end;
    spans.event[k] = eventIndex;
    spans.endEvent[k] = endEvent;
    if (start < minTs) minTs = start;
    if (end > maxTs) maxTs = end;
    return k;
  };
  // B and b reserve their span when they begin, so spans stay in start order (files are in
  // time order) and the layout's sort is mostly a no-op; E and e fill in the end.
  const endSpan = (k: number, ts: number, endEvent: number) => {
    spans.endUs[k] = ts < spans.startUs[k]! ? spans.startUs[k]! : ts;
    spans.endEvent[k] = endEvent;
    if (ts > maxTs) maxTs = ts;
  };

  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    const ts = event.ts;
    if (event.ph !== 'M') {
      if (ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
    }
    switch (event.ph) {
      case 'X':
        addSpan(i, ts, ts + (event.dur ?? 0), -1);
        break;
      case 'B': {
        const key = `${event.pid}:${event.tid}`;
        let stack = syncStacks.get(key);
        if (!stack) syncStacks.set(key, (stack = []));
        stack.push(addSpan(i, ts, Number.NaN, -1));
        break;
      }
      case 'E': {
        const span = syncStacks.get(`${event.pid}:${event.tid}`)?.pop();
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, ts, i);
        break;
      }
      case 'b':
        asyncStack(event, true)!.push(addSpan(i, ts, Number.NaN, -1));
        break;
      case 'e': {
        const stack = asyncStack(event, false);
        const span = stack?.pop();
        // Ids are reused; an empty entry would only cost memory (a million requests).
        if (stack && stack.length === 0) asyncOpen.get(event.pid)!.get(event.cat ?? '')!.delete(event.id);
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, ts, i);
        break;
      }
      case 'i':
      case 'I':
      case 'n':
      case 'R':
        instantIndices.push(i);
        break;
      case 'C':
        counterIndices.push(i);
        break;
      case 'P':
        if (event.name === 'Profile' || event.name === 'ProfileChunk') profileIndices.push(i);
        break;
      case 's':
      case 't':
      case 'f': {
        const key = `${primaryCategory(event.cat)}:${String(event.id ?? '')}`;
        let points = flowPoints.get(key);
        if (!points) flowPoints.set(key, (points = []));
        points.push(i);
        break;
      }
      case 'M': {
        const name = isRecord(event.args) && typeof event.args.name === 'string' ? event.args.name : undefined;
        const sortIndex = isRecord(event.args) && typeof event.args.sort_index === 'number' ? event.args.sort_index : undefined;
        if (event.name === 'process_name' && name !== undefined) processNames.set(event.pid, name);
        else if (event.name === 'thread_name' && name !== undefined) threadNames.set(`${event.pid}:${event.tid}`, name);
        else if (event.name === 'thread_sort_index' && sortIndex !== undefined) threadSort.set(`${event.pid}:${event.tid}`, sortIndex);
        break;
      }
      default:
        break;
    }
  }
  // Spans still open when the snapshot was taken run to the end of the window: they are
  // often the interesting ones (the request that never finished).
  const windowEnd = metadata?.window?.endTs;
  const openEnd = typeof windowEnd === 'number' ? Math.max(windowEnd, maxTs) : maxTs;
  for (const stack of syncStacks.values()) for (const span of stack) endSpan(span, openEnd, -1);
  for (const byCat of asyncOpen.values()) {
    for (const byId of byCat.values()) for (const stack of byId.values()) for (const span of stack) endSpan(span, openEnd, -1);
  }

  const cpuProfiles = buildCpuProfiles(events, profileIndices);
  for (const cpu of cpuProfiles) {
    if (cpu.sampleCount > 0) {
      minTs = Math.min(minTs, cpu.sampleTs[0]!);
      maxTs = Math.max(maxTs, cpu.sampleTs[cpu.sampleCount - 1]! + cpu.sampleDurUs[cpu.sampleCount - 1]!);
    }
  }
  if (metadata?.window && typeof metadata.window.startTs === 'number' && typeof metadata.window.endTs === 'number') {
    minTs = Math.min(minTs, metadata.window.startTs);
    maxTs = Math.max(maxTs, metadata.window.endTs);
  }
  if (!Number.isFinite(minTs)) {
    minTs = 0;
    maxTs = 1;
  }
  if (maxTs <= minTs) maxTs = minTs + 1000;

  // Step 2: spans into slice tracks.
  const builder = new TrackBuilder(processNames, threadNames, threadSort);
  type SpanGroup = { kind: TrackKind; pid: number; tid: number; spans: number[] };
  const spanGroups: SpanGroup[] = [];
  // pid → tid → category → group; no string is built per span (a million spans stay cheap).
  const groupIndex = new Map<number, Map<number, Map<string | undefined, SpanGroup>>>();
  const kindOfCategory = new Map<string | undefined, TrackKind>();
  for (let k = 0; k < spans.count; k++) {
    const event = events[spans.event[k]!]!;
    let byTid = groupIndex.get(event.pid);
    if (!byTid) groupIndex.set(event.pid, (byTid = new Map()));
    let byCat = byTid.get(event.tid);
    if (!byCat) byTid.set(event.tid, (byCat = new Map()));
    let group = byCat.get(event.cat);
    if (!group) {
      let kind = kindOfCategory.get(event.cat);
      if (!kind) kindOfCategory.set(event.cat, (kind = sliceTrackKind(event.cat)));
      // Categories that share a track kind ("worker", "child_process") share one group.
      group = spanGroups.find((g) => g.pid === event.pid && g.tid === event.tid && g.kind.key === kind!.key);
      if (!group) spanGroups.push((group = { kind, pid: event.pid, tid: event.tid, spans: [] }));
      byCat.set(event.cat, group);
    }
    group.spans.push(k);
  }
  const colorOfSpan = spanColorCache();
  for (const group of spanGroups) {
    const order = sortByStartThenLongest(Int32Array.from(group.spans), spans.startUs, spans.endUs);
    const { rowOf, rowCount } = firstFitRows(order, spans.startUs, spans.endUs);
    const rows = packRows(order, rowOf, rowCount, spans.startUs, spans.endUs, (span) => colorOfSpan(events[spans.event[span]!]!, spans.endEvent[span]! >= 0 ? events[spans.endEvent[span]!] : undefined));
    const track = builder.add(group.pid, group.tid, group.kind, (base) => ({ ...base, kind: 'slices', rows }) as SliceTrack);
    for (let i = 0; i < order.length; i++) {
      spans.track[order[i]!] = track.index;
      spans.row[order[i]!] = rowOf[i]!;
    }
  }

  // Step 3: flame charts, instants, counters.
  for (const cpu of cpuProfiles) {
    builder.add(cpu.pid, cpu.tid, sliceTrackKind('cpu'), (base) => ({ ...base, kind: 'flame', rows: cpu.rows, cpu }) as FlameTrack);
  }
  buildInstantTracks(events, instantIndices, builder);
  buildCounterTracks(events, counterIndices, builder);

  const trigger = findTrigger(events, instantIndices, metadata);
  const model: TimelineModel = {
    fileName,
    source: loaded.source,
    events,
    metadata,
    spans,
    tracks: builder.tracks,
    processes: builder.finish(metadata),
    cpuProfiles,
    flows: [],
    startUs: minTs,
    endUs: maxTs,
    originUs: trigger?.ts ?? (typeof metadata?.window?.startTs === 'number' ? metadata.window.startTs : minTs),
    trigger,
    categories: [],
    skippedEvents: loaded.skippedEvents,
    unmatchedEnds,
  };
  model.categories = [...new Set(model.tracks.map((t) => t.filter))];
  // Flows are bound on first use (a selected span): binding costs a sort of every span.
  let flows: Flow[] | undefined;
  Object.defineProperty(model, 'flows', { get: () => (flows ??= bindFlows(model, flowPoints)), enumerable: true });
  return model;
}

/** spanColor with the name hash cached per (category, name). */
function spanColorCache(): (event: TraceEvent, endEvent: TraceEvent | undefined) => number {
  const cache = new Map<string | undefined, Map<string, number>>();
  return (event, endEvent) => {
    // Asks the scanned events' hints first, so colouring never parses a million args objects.
    if (argsMayFail(endEvent && hasArgs(endEvent) ? endEvent : event)) return spanColor(event, endEvent);
    let byName = cache.get(event.cat);
    if (!byName) cache.set(event.cat, (byName = new Map()));
    let color = byName.get(event.name);
    if (color === undefined) byName.set(event.name, (color = spanColor(event, endEvent)));
    return color;
  };
}

/** HTTP spans that failed (status ≥ 500 or an error) are drawn red; everything else by category. */
export function spanColor(event: TraceEvent, endEvent: TraceEvent | undefined): number {
  const cat = primaryCategory(event.cat);
  const args = endEvent?.args ?? event.args;
  if (args && ((typeof args.status === 'number' && args.status >= 500) || typeof args.error === 'string')) return colorIndex('error', event.name);
  if (cat === 'gc') return colorIndex('gc', event.name.includes('major') || event.name.includes('Mark') ? 'major' : 'minor');
  if (cat === 'eventloop') return colorIndex('eventloop', event.name);
  return colorIndex(colorFamilyOfCategory(cat), event.name);
}

class TrackBuilder {
  readonly tracks: Track[] = [];
  private readonly threads = new Map<string, { pid: number; tid: number; tracks: { order: number; track: Track }[] }>();
  private readonly counters = new Map<number, CounterTrack[]>();

  constructor(
    private readonly processNames: Map<number, string>,
    private readonly threadNames: Map<string, string>,
    private readonly threadSort: Map<string, number>,
  ) {}

  add<T extends Track>(pid: number, tid: number, kind: TrackKind, make: (base: TrackBase) => T): T {
    const track = make({ index: this.tracks.length, id: `${pid}:${tid}:${kind.key}`, title: kind.title, filter: kind.filter, pid, tid });
    this.tracks.push(track);
    const key = `${pid}:${tid}`;
    let thread = this.threads.get(key);
    if (!thread) this.threads.set(key, (thread = { pid, tid, tracks: [] }));
    thread.tracks.push({ order: kind.order, track });
    return track;
  }

  addCounter(pid: number, make: (base: TrackBase) => CounterTrack): CounterTrack {
    const track = make({ index: this.tracks.length, id: '', title: '', filter: '', pid, tid: 0 });
    this.tracks.push(track);
    let list = this.counters.get(pid);
    if (!list) this.counters.set(pid, (list = []));
    list.push(track);
    return track;
  }

  finish(metadata: Partial<SnapshotMetadata> | undefined): ProcessGroup[] {
    const pids = new Set<number>([...[...this.threads.values()].map((t) => t.pid), ...this.counters.keys()]);
    const groups: ProcessGroup[] = [];
    for (const pid of [...pids].sort((a, b) => (a === metadata?.pid ? -1 : b === metadata?.pid ? 1 : a - b))) {
      const threads = [...this.threads.values()]
        .filter((t) => t.pid === pid)
        .sort((a, b) => (this.threadSort.get(`${pid}:${a.tid}`) ?? a.tid) - (this.threadSort.get(`${pid}:${b.tid}`) ?? b.tid))
        .map((thread) => ({
          tid: thread.tid,
          title: this.threadNames.get(`${pid}:${thread.tid}`) ?? (thread.tid === 0 || thread.tid === pid ? 'Main thread' : `Thread ${thread.tid}`),
          tracks: thread.tracks.sort((a, b) => a.order - b.order || a.track.title.localeCompare(b.track.title)).map((t) => t.track),
        }));
      const counters = (this.counters.get(pid) ?? []).sort((a, b) => counterOrder(a.name) - counterOrder(b.name) || a.name.localeCompare(b.name));
      let title = this.processNames.get(pid);
      if (title === undefined && metadata?.pid === pid) title = metadata.programName;
      const named = title ? (title.includes(String(pid)) ? title : `${title} (pid ${pid})`) : `Process ${pid}`;
      groups.push({ id: `p${pid}`, pid, title: named, counters, threads });
    }
    return groups;
  }
}

function buildInstantTracks(events: TraceEvent[], indices: number[], builder: TrackBuilder): void {
  const groups = new Map<string, { kind: TrackKind; pid: number; tid: number; list: number[] }>();
  for (const index of indices) {
    const event = events[index]!;
    const kind = instantTrackKind(event.cat);
    const key = `${event.pid}:${event.tid}:${kind.key}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { kind, pid: event.pid, tid: event.tid, list: [] }));
    group.list.push(index);
  }
  for (const group of groups.values()) {
    const list = group.list.sort((a, b) => events[a]!.ts - events[b]!.ts);
    const count = list.length;
    const ts = new Float64Array(count);
    const ref = new Int32Array(count);
    const color = new Uint8Array(count);
    list.forEach((index, k) => {
      const event = events[index]!;
      ts[k] = event.ts;
      ref[k] = index;
      color[k] = instantColor(event);
    });
    builder.add(group.pid, group.tid, group.kind, (base) => ({ ...base, kind: 'instants', ts, ref, color, count }) as InstantTrack);
  }
}

export function instantColor(event: TraceEvent): number {
  const cat = primaryCategory(event.cat);
  if (cat === 'error' || /exception|rejection|error/i.test(event.name)) return colorIndex('error', event.name);
  if (cat === 'trigger') return colorIndex('trigger', event.name);
  if (/warn/i.test(event.name) || (isRecord(event.args) && event.args.level === 'warn')) return colorIndex('warning', event.name);
  if (cat === 'console') return colorIndex('console', event.name);
  return colorIndex(colorFamilyOfCategory(cat), event.name);
}

function buildCounterTracks(events: TraceEvent[], indices: number[], builder: TrackBuilder): void {
  const groups = new Map<string, { pid: number; name: string; list: number[] }>();
  for (const index of indices) {
    const event = events[index]!;
    const name = event.id !== undefined ? `${event.name} ${String(event.id)}` : event.name;
    const key = `${event.pid}:${name}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { pid: event.pid, name, list: [] }));
    group.list.push(index);
  }
  for (const group of groups.values()) {
    const list = group.list.sort((a, b) => events[a]!.ts - events[b]!.ts);
    const keys: string[] = [];
    for (const index of list) {
      const args = events[index]!.args;
      if (!args) continue;
      for (const key of Object.keys(args)) if (typeof args[key] === 'number' && !keys.includes(key)) keys.push(key);
      if (keys.length >= 8) break;
    }
    if (keys.length === 0) continue;
    const count = list.length;
    const ts = new Float64Array(count);
    const ref = new Int32Array(count);
    list.forEach((index, k) => {
      ts[k] = events[index]!.ts;
      ref[k] = index;
    });
    const series: CounterSeries[] = keys.map((key) => {
      const values = new Float64Array(count);
      let maxValue = 0;
      let last = 0;
      for (let k = 0; k < count; k++) {
        const value = events[list[k]!]!.args?.[key];
        if (typeof value === 'number' && Number.isFinite(value)) last = value;
        values[k] = last;
        if (last > maxValue) maxValue = last;
      }
      return { key, label: seriesLabel(key), unit: seriesUnit(key, group.name), ts, values, count, maxValue };
    });
    const first = events[list[0]!]!;
    const filter = primaryCategory(first.cat) || 'counters';
    builder.addCounter(group.pid, (base) => ({
      ...base,
      id: `${group.pid}:counter:${group.name}`,
      title: group.name,
      filter,
      kind: 'counter',
      name: group.name,
      series,
      primary: primarySeries(keys),
      maxValue: Math.max(...series.map((s) => s.maxValue)),
      ref,
    }));
  }
}

function findTrigger(events: TraceEvent[], instants: number[], metadata: Partial<SnapshotMetadata> | undefined): TimelineModel['trigger'] {
  const fromMeta = metadata?.trigger;
  if (fromMeta && typeof fromMeta.ts === 'number') {
    return { ts: fromMeta.ts, label: triggerLabel(String(fromMeta.reason ?? 'snapshot')), detail: triggerDetail(fromMeta as unknown as Record<string, unknown>) };
  }
  for (const index of instants) {
    const event = events[index]!;
    if (event.name === 'Snapshot trigger') {
      const args = event.args ?? {};
      return { ts: event.ts, label: triggerLabel(typeof args.reason === 'string' ? args.reason : 'snapshot'), detail: triggerDetail(args) };
    }
  }
  return undefined;
}

const RULE_LABELS: Record<string, string> = {
  slowRequestMs: 'slow request',
  statusAtLeast: 'error response',
  loopBlockMs: 'event loop blocked',
  heapUsedMb: 'heap limit',
  gcPauseMs: 'long GC pause',
  unresponsiveMs: 'main thread unresponsive',
  uncaughtException: 'uncaught exception',
  unhandledRejection: 'unhandled rejection',
  nonZeroExit: 'non-zero exit',
};

/** Rule names ("slowRequestMs") read as words in the toolbar. */
function triggerLabel(reason: string): string {
  return RULE_LABELS[reason] ?? reason;
}

function triggerDetail(trigger: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof trigger.source === 'string') parts.push(trigger.source);
  if (typeof trigger.rule === 'string') {
    const value = typeof trigger.value === 'number' ? ` ${Math.round(trigger.value * 10) / 10}` : '';
    const threshold = typeof trigger.threshold === 'number' ? ` > ${trigger.threshold}` : '';
    parts.push(`${trigger.rule}${value}${threshold}`);
  }
  if (typeof trigger.location === 'string') parts.push(trigger.location);
  return parts.join(' · ');
}

/** Binds each flow's consecutive points to the most specific span on their thread that contains them. */
function bindFlows(model: TimelineModel, flowPoints: Map<string, number[]>): Flow[] {
  const flows: Flow[] = [];
  if (flowPoints.size === 0) return flows;
  const { spans, events } = model;
  // Per thread: its spans sorted by start. A point binds to the latest-starting span that
  // still contains it, found by a binary search and a short walk back.
  const byThread = new Map<number, Map<number, number[]>>();
  for (let k = 0; k < spans.count; k++) {
    const event = events[spans.event[k]!]!;
    let byTid = byThread.get(event.pid);
    if (!byTid) byThread.set(event.pid, (byTid = new Map()));
    let list = byTid.get(event.tid);
    if (!list) byTid.set(event.tid, (list = []));
    list.push(k);
  }
  const sorted = new Map<number[], { order: Int32Array; starts: Float64Array }>();
  const sortedOf = (list: number[]) => {
    let entry = sorted.get(list);
    if (!entry) {
      const order = sortByStartThenLongest(Int32Array.from(list), spans.startUs, spans.endUs);
      entry = { order, starts: Float64Array.from(order, (k) => spans.startUs[k]!) };
      sorted.set(list, entry);
    }
    return entry;
  };
  const spanAt = (event: TraceEvent): number => {
    const list = byThread.get(event.pid)?.get(event.tid);
    if (!list) return -1;
    const { order, starts } = sortedOf(list);
    for (let i = upperBound(starts, starts.length, event.ts) - 1, steps = 0; i >= 0 && steps < 256; i--, steps++) {
      const k = order[i]!;
      if (spans.endUs[k]! >= event.ts) return k;
    }
    return -1;
  };
  for (const points of flowPoints.values()) {
    if (points.length > 1) points.sort((a, b) => events[a]!.ts - events[b]!.ts);
    for (let i = 1; i < points.length; i++) {
      const from = events[points[i - 1]!]!;
      const to = events[points[i]!]!;
      const fromSpan = spanAt(from);
      const toSpan = spanAt(to);
      if (fromSpan >= 0 && toSpan >= 0 && fromSpan !== toSpan) flows.push({ fromSpan, toSpan, fromUs: from.ts, toUs: to.ts });
    }
  }
  return flows;
}
