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
import { NO_ARENA, type MemoryArena } from '../../format/memory-arena';
import type { SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import { colorFamilyOfCategory, colorIndex } from './colors';
import { buildCpuProfiles, type CpuProfileModel } from './cpu';
import { firstFitRows, packRows, sortByStartThenLongest, upperBound, type PackedRow } from './layout';
import type { ArgsLoader, LoadedTrace } from './load';
import { isRecord } from './load';
import { ArrayEventFields, SummaryEventFields, type EventFields } from './event-fields';
import { SUMMARY_FLAG, SummaryFormatError } from '../../format/event-summary';
import { OpenAsyncSpans } from '../../format/open-async-spans';
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
  /** The profile's rows (made when first read: count them with rowCountOf). */
  readonly rows: PackedRow[];
  cpu: CpuProfileModel;
}

/** How many rows a slice or flame track has, without making a flame chart's rows. */
export function rowCountOf(track: SliceTrack | FlameTrack): number {
  return track.kind === 'flame' ? track.cpu.rowCount : track.rows.length;
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
  /** Every event as an object (on the summary path, made when read: loops should use `fields`). */
  events: TraceEvent[];
  /** Every event's fields by index, without making objects. */
  fields: EventFields;
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
  /** Fetches args still on the host (the summary path); absent when every event's args are here. */
  argsLoader?: ArgsLoader;
}

export function buildModel(loaded: LoadedTrace, fileName: string): TimelineModel {
  const { events, metadata } = loaded;
  const fields = loaded.fields ?? new ArrayEventFields(events);
  if (loaded.hostSpans) {
    try {
      return buildFromHostSpans(loaded, fields, fileName, loaded.hostSpans);
    } catch (error) {
      if (!(error instanceof SummaryFormatError)) throw error;
      // A layout that does not check out: pair the events here, as without one.
      console.warn(`Flight Recorder viewer: the host's span layout is not usable (${error.message}); pairing the events here`);
    }
  }
  const n = fields.count;
  const spans: SpanTable = {
    count: 0,
    startUs: new Float64Array(n),
    endUs: new Float64Array(n),
    event: new Int32Array(n),
    endEvent: new Int32Array(n),
    track: new Int32Array(n),
    row: new Int32Array(n),
  };
  const others = new OtherEvents();
  const syncStacks = new Map<string, number[]>();
  // Chrome pairs async events by process, category and id.
  const asyncOpen = new OpenAsyncSpans();
  // Flow points by primary category, then id: nested maps, so no key string is built per point.
  const flowPoints = new Map<string, Map<unknown, number[]>>();
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
    const ph = fields.ph(i);
    const ts = fields.ts(i);
    if (ph !== 'M') {
      if (ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
    }
    switch (ph) {
      case 'X':
        addSpan(i, ts, ts + (fields.dur(i) ?? 0), -1);
        break;
      case 'B': {
        const key = `${fields.pid(i)}:${fields.tid(i)}`;
        let stack = syncStacks.get(key);
        if (!stack) syncStacks.set(key, (stack = []));
        stack.push(addSpan(i, ts, Number.NaN, -1));
        break;
      }
      case 'E': {
        const span = syncStacks.get(`${fields.pid(i)}:${fields.tid(i)}`)?.pop();
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, ts, i);
        break;
      }
      case 'b':
        asyncOpen.open(fields.pid(i), fields.cat(i) ?? '', fields.id(i), addSpan(i, ts, Number.NaN, -1));
        break;
      case 'e': {
        const span = asyncOpen.close(fields.pid(i), fields.cat(i) ?? '', fields.id(i));
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, ts, i);
        break;
      }
      case 's':
      case 't':
      case 'f':
        addFlowPoint(flowPoints, fields, i);
        break;
      default:
        others.add(i, ph, fields);
        break;
    }
  }
  // Spans still open when the snapshot was taken run to the end of the window: they are
  // often the interesting ones (the request that never finished).
  const windowEnd = metadata?.window?.endTs;
  const openEnd = typeof windowEnd === 'number' ? Math.max(windowEnd, maxTs) : maxTs;
  for (const stack of syncStacks.values()) for (const span of stack) endSpan(span, openEnd, -1);
  asyncOpen.forEachOpen((span) => endSpan(span, openEnd, -1));

  const builder = new TrackBuilder(others.processNames, others.threadNames, others.threadSort);
  // Step 2: spans into slice tracks.
  type SpanGroup = { kind: TrackKind; pid: number; tid: number; spans: number[] };
  const spanGroups: SpanGroup[] = [];
  // pid → tid → category → group; no string is built per span (a million spans stay cheap).
  const groupIndex = new Map<number, Map<number, Map<string | undefined, SpanGroup>>>();
  const kindOfCategory = new Map<string | undefined, TrackKind>();
  for (let k = 0; k < spans.count; k++) {
    const i = spans.event[k]!;
    const pid = fields.pid(i);
    const tid = fields.tid(i);
    const cat = fields.cat(i);
    let byTid = groupIndex.get(pid);
    if (!byTid) groupIndex.set(pid, (byTid = new Map()));
    let byCat = byTid.get(tid);
    if (!byCat) byTid.set(tid, (byCat = new Map()));
    let group = byCat.get(cat);
    if (!group) {
      let kind = kindOfCategory.get(cat);
      if (!kind) kindOfCategory.set(cat, (kind = sliceTrackKind(cat)));
      // Categories that share a track kind ("worker", "child_process") share one group.
      group = spanGroups.find((g) => g.pid === pid && g.tid === tid && g.kind.key === kind!.key);
      if (!group) spanGroups.push((group = { kind, pid, tid, spans: [] }));
      byCat.set(cat, group);
    }
    group.spans.push(k);
  }
  const colorOfSpan = spanColorCache(fields);
  for (const group of spanGroups) {
    const order = sortByStartThenLongest(Int32Array.from(group.spans), spans.startUs, spans.endUs);
    const { rowOf, rowCount } = firstFitRows(order, spans.startUs, spans.endUs);
    const rows = packRows(order, rowOf, rowCount, spans.startUs, spans.endUs, (span) => colorOfSpan(spans.event[span]!, spans.endEvent[span]!));
    const track = builder.add(group.pid, group.tid, group.kind, (base) => ({ ...base, kind: 'slices', rows }) as SliceTrack);
    for (let i = 0; i < order.length; i++) {
      spans.track[order[i]!] = track.index;
      spans.row[order[i]!] = rowOf[i]!;
    }
  }

  return finishModel({ loaded, fields, fileName, spans, builder, others, minTs, maxTs, unmatchedEnds, flowPoints: () => flowPoints });
}

interface ModelParts {
  loaded: LoadedTrace;
  fields: EventFields;
  fileName: string;
  spans: SpanTable;
  /** Slice tracks added, nothing else yet. */
  builder: TrackBuilder;
  /** Instants, counters, profiles, metadata. */
  others: OtherEvents;
  /** Extent of the events and spans, µs (Infinity / -Infinity when none). */
  minTs: number;
  maxTs: number;
  unmatchedEnds: number;
  /** Flow points by primary category, then id (asked for when flows are first read). */
  flowPoints: () => Map<string, Map<unknown, number[]>>;
}

/** Flame charts, instants, counters, the trigger and the extent: the same for both ways of making spans. */
function finishModel(parts: ModelParts): TimelineModel {
  const { loaded, fields, fileName, spans, builder } = parts;
  const { instantIndices, counterIndices, profileIndices } = parts.others;
  const { events, metadata } = loaded;
  let { minTs, maxTs } = parts;
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

  // Step 3: flame charts, instants, counters.
  for (const cpu of cpuProfiles) {
    // The rows are the profile's, made when first read (cpu.ts).
    builder.add(cpu.pid, cpu.tid, sliceTrackKind('cpu'), (base) => Object.defineProperty({ ...base, kind: 'flame', cpu } as Omit<FlameTrack, 'rows'>, 'rows', { get: () => cpu.rows, enumerable: true }) as FlameTrack);
  }
  buildInstantTracks(fields, instantIndices, builder);
  buildCounterTracks(fields, counterIndices, builder);

  const trigger = findTrigger(events, instantIndices, metadata);
  const model: TimelineModel = {
    fileName,
    source: loaded.source,
    events,
    fields,
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
    unmatchedEnds: parts.unmatchedEnds,
  };
  if (loaded.argsLoader) model.argsLoader = loaded.argsLoader;
  model.categories = [...new Set(model.tracks.map((t) => t.filter))];
  // Flows are bound on first use (a selected span): binding costs a sort of every span.
  let flows: Flow[] | undefined;
  Object.defineProperty(model, 'flows', { get: () => (flows ??= bindFlows(model, parts.flowPoints())), enumerable: true });
  return model;
}

/** Process and thread names and thread order from a metadata (`M`) event. */
/** The events that are neither spans nor flow points, by what the model makes of them (both ways of making spans). */
class OtherEvents {
  readonly instantIndices: number[] = [];
  readonly counterIndices: number[] = [];
  readonly profileIndices: number[] = [];
  readonly processNames = new Map<number, string>();
  readonly threadNames = new Map<string, string>();
  readonly threadSort = new Map<string, number>();

  /** Notes event `i` of phase `ph` (`whole`: the event itself, when at hand). */
  add(i: number, ph: string, fields: EventFields, whole?: TraceEvent): void {
    switch (ph) {
      case 'i':
      case 'I':
      case 'n':
      case 'R':
        this.instantIndices.push(i);
        break;
      case 'C':
        this.counterIndices.push(i);
        break;
      case 'P': {
        const name = fields.name(i);
        if (name === 'Profile' || name === 'ProfileChunk') this.profileIndices.push(i);
        break;
      }
      case 'M':
        readMetadataEvent(whole ?? fields.event(i), this.processNames, this.threadNames, this.threadSort);
        break;
      default:
        break;
    }
  }
}

function readMetadataEvent(event: TraceEvent, processNames: Map<number, string>, threadNames: Map<string, string>, threadSort: Map<string, number>): void {
  const name = isRecord(event.args) && typeof event.args.name === 'string' ? event.args.name : undefined;
  const sortIndex = isRecord(event.args) && typeof event.args.sort_index === 'number' ? event.args.sort_index : undefined;
  if (event.name === 'process_name' && name !== undefined) processNames.set(event.pid, name);
  else if (event.name === 'thread_name' && name !== undefined) threadNames.set(`${event.pid}:${event.tid}`, name);
  else if (event.name === 'thread_sort_index' && sortIndex !== undefined) threadSort.set(`${event.pid}:${event.tid}`, sortIndex);
}

/**
 * The summary path with the host's span layout (src/format/event-summary-spans.ts): the spans
 * come paired, grouped into tracks and packed into rows, so the page only reads their times,
 * checks the layout and colours them; the events the summary carries whole (metadata,
 * instants, counters, profiles) are the only ones it visits one by one. Same model as the
 * pairing in buildModel (the unit tests compare them); a layout that does not check out throws
 * SummaryFormatError, and the host reads the whole file instead.
 */
function buildFromHostSpans(loaded: LoadedTrace, fields: EventFields, fileName: string, host: NonNullable<LoadedTrace['hostSpans']>): TimelineModel {
  const { layout, fullEvents } = host;
  const count = layout.event.length;
  const { groupRows, rowItems, packedOrder } = layout;
  // Track and row of each span are read only by selection: made from the rows when first asked
  // for, not written a million times in scattered order before the first frame.
  const memory = loaded.memory ?? NO_ARENA;
  const spans = spanTableWithRowsOnDemand(count, layout.event, layout.endEvent, packedOrder, groupRows, rowItems, memory);
  // Every event that is not a span or a flow point is carried whole, in event order.
  const others = new OtherEvents();
  for (const [i, whole] of fullEvents) others.add(i, whole.ph, fields, whole);

  // Slice tracks, in the host's order (the first tracks of the model), rows as it packed them.
  // Two passes, each reading memory in order where it can (this runs once per page, mostly
  // before the JIT has optimised it, and a million scattered reads cost more than the work):
  // first over the spans in event order, their times and colours from their events' columns;
  // then over the packed order, copying those into the rows.
  const builder = new TrackBuilder(others.processNames, others.threadNames, others.threadSort);
  const { startUs, endUs, event, endEvent } = spans;
  const openEnd = layout.openEndUs;
  const table = fields instanceof SummaryEventFields ? fields.table : undefined;
  const exactColor = spanColorCache(fields);
  const spanColors = memory.uint8(count);
  const flags = table?.flags;
  const phOf = table?.ph;
  const tsOf = table?.ts;
  const nameOf = table?.name;
  const catOf = table?.cat;
  const stride = (table?.strings.length ?? 0) + 1;
  const { FULL, ARGS_MAY_FAIL } = SUMMARY_FLAG;
  // Spans whose events' args cannot hold a failure are coloured by (name, category), looked up
  // by their string indices (one number per span, no string hashed), and the span before's
  // colour is reused without a lookup: spans come in runs of one kind, and a call per span is
  // most of this loop's cost while it runs unoptimised. The rest ask spanColorCache.
  const colorByKey = new Map<number, number>();
  let lastKey = -1;
  let lastColor = 0;
  for (let k = 0; k < count; k++) {
    const begin = event[k]!;
    const end = endEvent[k]!;
    let startAt: number;
    let endAt: number;
    const spanFlags = flags ? flags[begin]! | (end >= 0 ? flags[end]! : 0) : FULL;
    if (flags && phOf && tsOf && nameOf && catOf && !(spanFlags & FULL)) {
      // Both events in columns (nearly every span).
      const ph = phOf[begin]!;
      startAt = tsOf[begin]!;
      if (end >= 0) {
        const endPh = phOf[end]!;
        if (!((ph === PH_B && endPh === PH_E) || (ph === PH_b && endPh === PH_e))) throw new SummaryFormatError(`span ${k} pairs events of phases ${fields.ph(begin)} and ${fields.ph(end)}`);
        endAt = tsOf[end]!;
      } else if (ph === PH_X) {
        endAt = startAt + (fields.dur(begin) ?? 0);
      } else if (ph === PH_B || ph === PH_b) {
        endAt = openEnd;
      } else {
        throw new SummaryFormatError(`span ${k} begins with an event of phase ${fields.ph(begin)}`);
      }
      startUs[k] = startAt;
      endUs[k] = endAt < startAt ? startAt : endAt;
      if (spanFlags & ARGS_MAY_FAIL) {
        spanColors[k] = exactColor(begin, end);
        continue;
      }
      const key = nameOf[begin]! * stride + catOf[begin]!;
      if (key !== lastKey) {
        lastKey = key;
        let color = colorByKey.get(key);
        if (color === undefined) colorByKey.set(key, (color = exactColor(begin, end)));
        lastColor = color;
      }
      spanColors[k] = lastColor;
      continue;
    }
    startAt = fields.ts(begin);
    endAt = spanEndOf(fields, k, begin, end, openEnd);
    startUs[k] = startAt;
    endUs[k] = endAt < startAt ? startAt : endAt;
    spanColors[k] = exactColor(begin, end);
  }
  const packedStart = memory.float64(count);
  const packedEnd = memory.float64(count);
  const packedColor = memory.uint8(count);
  let p = 0;
  let r = 0;
  for (let g = 0; g < groupRows.length; g++) {
    const i = event[packedOrder[p]!]!;
    const rows: PackedRow[] = [];
    for (let row = 0; row < groupRows[g]!; row++, r++) {
      const from = p;
      const to = p + rowItems[r]!;
      let previousEnd = -Infinity;
      for (; p < to; p++) {
        const span = packedOrder[p]!;
        const startAt = startUs[span]!;
        // In a row spans follow each other without overlap (the culling's binary searches rely on it).
        if (startAt < previousEnd) throw new SummaryFormatError(`span ${span} overlaps the span before it in its row`);
        previousEnd = endUs[span]!;
        packedStart[p] = startAt;
        packedEnd[p] = previousEnd;
        packedColor[p] = spanColors[span]!;
      }
      rows.push({ startUs: packedStart.subarray(from, to), endUs: packedEnd.subarray(from, to), ref: packedOrder.subarray(from, to), color: packedColor.subarray(from, to), count: to - from });
    }
    const track = builder.add(fields.pid(i), fields.tid(i), sliceTrackKind(fields.cat(i)), (base) => ({ ...base, kind: 'slices', rows }) as SliceTrack);
    if (track.index !== g) throw new SummaryFormatError('the span layout\'s tracks are out of order');
  }

  return finishModel({
    loaded, fields, fileName, spans, builder, others,
    minTs: layout.minTs, maxTs: layout.maxTs, unmatchedEnds: layout.unmatchedEnds,
    flowPoints: () => collectFlowPoints(fields),
  });
}

/** Where span `span` (begin event `begin`, end event `end` or -1) ends, checking its events' phases; any event kind. */
function spanEndOf(fields: EventFields, span: number, begin: number, end: number, openEnd: number): number {
  const ph = fields.ph(begin);
  if (end >= 0) {
    const endPh = fields.ph(end);
    if (ph === 'X' || (ph === 'B' ? endPh !== 'E' : ph !== 'b' || endPh !== 'e')) throw new SummaryFormatError(`span ${span} pairs events of phases ${ph} and ${endPh}`);
    return fields.ts(end);
  }
  if (ph === 'X') return fields.ts(begin) + (fields.dur(begin) ?? 0);
  if (ph === 'B' || ph === 'b') return openEnd;
  throw new SummaryFormatError(`span ${span} begins with an event of phase ${ph}`);
}

/** A span table whose `track` and `row` columns are made from the host's rows on first read. */
function spanTableWithRowsOnDemand(count: number, event: Int32Array, endEvent: Int32Array, packedOrder: Int32Array, groupRows: Uint32Array, rowItems: Uint32Array, memory: MemoryArena): SpanTable {
  let places: { track: Int32Array; row: Int32Array } | undefined;
  const made = () => {
    if (places) return places;
    const track = new Int32Array(count);
    const row = new Int32Array(count);
    let p = 0;
    let r = 0;
    for (let g = 0; g < groupRows.length; g++) {
      for (let k = 0; k < groupRows[g]!; k++, r++) {
        for (const to = p + rowItems[r]!; p < to; p++) {
          const span = packedOrder[p]!;
          track[span] = g;
          row[span] = k;
        }
      }
    }
    return (places = { track, row });
  };
  return {
    count,
    startUs: memory.float64(count),
    endUs: memory.float64(count),
    event,
    endEvent,
    get track() {
      return made().track;
    },
    get row() {
      return made().row;
    },
  };
}

/** Flow points (`s`, `t`, `f`) by primary category, then id (as printed: a flow joins points whose ids print alike). */
function collectFlowPoints(fields: EventFields): Map<string, Map<unknown, number[]>> {
  const flowPoints = new Map<string, Map<unknown, number[]>>();
  for (let i = 0; i < fields.count; i++) {
    const ph = fields.ph(i);
    if (ph === 's' || ph === 't' || ph === 'f') addFlowPoint(flowPoints, fields, i);
  }
  return flowPoints;
}

/** Files flow point `i` by primary category, then id — String(id): a flow joins points whose ids print alike. */
function addFlowPoint(flowPoints: Map<string, Map<unknown, number[]>>, fields: EventFields, i: number): void {
  const cat = primaryCategory(fields.cat(i));
  let byId = flowPoints.get(cat);
  if (!byId) flowPoints.set(cat, (byId = new Map()));
  const id = fields.id(i);
  const key = typeof id === 'number' ? String(id) : id ?? '';
  let points = byId.get(key);
  if (!points) byId.set(key, (points = []));
  points.push(i);
}

const PH_X = 0x58;
const PH_B = 0x42;
const PH_E = 0x45;
const PH_b = 0x62;
const PH_e = 0x65;

/** spanColor of a span (its begin and end event indices) with the name hash cached per (category, name). */
function spanColorCache(fields: EventFields): (begin: number, end: number) => number {
  const cache = new Map<string | undefined, Map<string, number>>();
  return (begin, end) => {
    // Asks the lazy events' hints first, so colouring never parses a million args objects.
    if (fields.argsMayFail(end >= 0 && fields.hasArgs(end) ? end : begin)) return spanColor(fields.event(begin), end >= 0 ? fields.event(end) : undefined);
    const cat = fields.cat(begin);
    const name = fields.name(begin);
    let byName = cache.get(cat);
    if (!byName) cache.set(cat, (byName = new Map()));
    let color = byName.get(name);
    if (color === undefined) byName.set(name, (color = spanColor(fields.event(begin), end >= 0 ? fields.event(end) : undefined)));
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

function buildInstantTracks(fields: EventFields, indices: number[], builder: TrackBuilder): void {
  const groups = new Map<string, { kind: TrackKind; pid: number; tid: number; list: number[] }>();
  for (const index of indices) {
    const event = fields.event(index);
    const kind = instantTrackKind(event.cat);
    const key = `${event.pid}:${event.tid}:${kind.key}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { kind, pid: event.pid, tid: event.tid, list: [] }));
    group.list.push(index);
  }
  for (const group of groups.values()) {
    const list = group.list.sort((a, b) => fields.ts(a) - fields.ts(b));
    const count = list.length;
    const ts = new Float64Array(count);
    const ref = new Int32Array(count);
    const color = new Uint8Array(count);
    list.forEach((index, k) => {
      const event = fields.event(index);
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

function buildCounterTracks(fields: EventFields, indices: number[], builder: TrackBuilder): void {
  const groups = new Map<string, { pid: number; name: string; list: number[] }>();
  for (const index of indices) {
    const event = fields.event(index);
    const name = event.id !== undefined ? `${event.name} ${String(event.id)}` : event.name;
    const key = `${event.pid}:${name}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { pid: event.pid, name, list: [] }));
    group.list.push(index);
  }
  for (const group of groups.values()) {
    const list = group.list.sort((a, b) => fields.ts(a) - fields.ts(b));
    const keys: string[] = [];
    for (const index of list) {
      const args = fields.event(index).args;
      if (!args) continue;
      for (const key of Object.keys(args)) if (typeof args[key] === 'number' && !keys.includes(key)) keys.push(key);
      if (keys.length >= 8) break;
    }
    if (keys.length === 0) continue;
    const count = list.length;
    const ts = new Float64Array(count);
    const ref = new Int32Array(count);
    list.forEach((index, k) => {
      ts[k] = fields.event(index).ts;
      ref[k] = index;
    });
    const series: CounterSeries[] = keys.map((key) => {
      const values = new Float64Array(count);
      let maxValue = 0;
      let last = 0;
      for (let k = 0; k < count; k++) {
        const value = fields.event(list[k]!).args?.[key];
        if (typeof value === 'number' && Number.isFinite(value)) last = value;
        values[k] = last;
        if (last > maxValue) maxValue = last;
      }
      return { key, label: seriesLabel(key), unit: seriesUnit(key, group.name), ts, values, count, maxValue };
    });
    const first = fields.event(list[0]!);
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
function bindFlows(model: TimelineModel, flowPoints: Map<string, Map<unknown, number[]>>): Flow[] {
  const flows: Flow[] = [];
  if (flowPoints.size === 0) return flows;
  const { spans, fields } = model;
  // Per thread: its spans sorted by start. A point binds to the latest-starting span that
  // still contains it, found by a binary search and a short walk back.
  const byThread = new Map<number, Map<number, number[]>>();
  for (let k = 0; k < spans.count; k++) {
    const pid = fields.pid(spans.event[k]!);
    const tid = fields.tid(spans.event[k]!);
    let byTid = byThread.get(pid);
    if (!byTid) byThread.set(pid, (byTid = new Map()));
    let list = byTid.get(tid);
    if (!list) byTid.set(tid, (list = []));
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
  for (const points of [...flowPoints.values()].flatMap((byId) => [...byId.values()])) {
    if (points.length > 1) points.sort((a, b) => fields.ts(a) - fields.ts(b));
    for (let i = 1; i < points.length; i++) {
      const from = fields.event(points[i - 1]!);
      const to = fields.event(points[i]!);
      const fromSpan = spanAt(from);
      const toSpan = spanAt(to);
      if (fromSpan >= 0 && toSpan >= 0 && fromSpan !== toSpan) flows.push({ fromSpan, toSpan, fromUs: from.ts, toUs: to.ts });
    }
  }
  return flows;
}
