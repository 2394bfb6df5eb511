// Spans paired and laid out by the host, while it builds the event summary (event-summary.ts,
// version 3), so the page does not pair a million begin/end events, group them into tracks,
// sort them and pack them into rows before its first frame: that was most of a second of the
// page's model build for a 1 M-event snapshot. The rules are the viewer model's
// (src/viewer/model/model.ts; both pair async spans with open-async-spans.ts) and the sort and
// rows are the same functions (event-summary-layout.ts); the unit tests check the page's own model and the host's layout
// agree on every fixture. The page checks what it receives (indices in range, each span once,
// rows without overlap) and otherwise falls back to pairing the events itself.
import { firstFitRows, sortByStartThenLongest } from './event-summary-layout';
import { NO_ARENA } from './memory-arena';
import { OpenAsyncSpans } from './open-async-spans';
import type { TraceEvent } from './trace-event';

/**
 * The key of the slice track a span of `category` is drawn in, within its thread: the
 * viewer's track kinds (src/viewer/model/tracks.ts) use these keys.
 */
export function sliceTrackKey(category: string | undefined): string {
  const cat = primaryCategory(category);
  return Object.prototype.hasOwnProperty.call(TRACK_KEYS, cat) ? TRACK_KEYS[cat]! : `cat:${cat}`;
}

/** Categories with a track of their own; several share one. */
const TRACK_KEYS: Record<string, string> = {
  eventloop: 'eventloop',
  cpu: 'cpu',
  gc: 'gc',
  'http.server': 'http.server',
  'http.client': 'http.client',
  net: 'net',
  fs: 'fs',
  async: 'async',
  user: 'user',
  process: 'process',
  worker: 'process',
  child_process: 'process',
};

function primaryCategory(category: string | undefined): string {
  if (!category) return '';
  const comma = category.indexOf(',');
  return comma < 0 ? category : category.slice(0, comma);
}

/** What the layout needs of the summary's columns (compact columns as the writer keeps them). */
export interface SpanLayoutInput {
  eventCount: number;
  /** Phase as a character code; ignored for events in `full`. */
  ph: ArrayLike<number>;
  flags: ArrayLike<number>;
  thread: ArrayLike<number>;
  ts: ArrayLike<number>;
  /** Compact columns: one value per event whose flag says so, in event order. */
  cat: ArrayLike<number>;
  dur: ArrayLike<number>;
  idNumber: ArrayLike<number>;
  idString: ArrayLike<number>;
  strings: readonly string[];
  /** String ids by index (decoded when asked: only async spans' ids are). */
  idStrings: { get(index: number): string };
  /** pid, tid pairs. */
  threads: ArrayLike<number>;
  /** Events the summary carries whole (the FULL flag), parsed. */
  full: ReadonlyMap<number, TraceEvent>;
  /** metadata.window.endTs of a snapshot (open spans run to it), if a number. */
  windowEndTs: number | undefined;
}

/** The spans of a trace, paired and packed into rows (the page's SpanTable and slice tracks). */
export interface SpanLayout {
  /** Per span, in the order their begin events come: the X / B / b event. */
  event: Int32Array;
  /** The E / e event, or -1 (complete events, and spans still open at the end). */
  endEvent: Int32Array;
  /**
   * Span indices track by track (tracks numbered as their first span comes), then row by row,
   * each row in time order.
   */
  packedOrder: Int32Array;
  /** Rows of each track. */
  groupRows: Uint32Array;
  /** Spans in each row, rows of all tracks in order. */
  rowItems: Uint32Array;
  /** Extent of every event but metadata (spans' ends included), µs; Infinity / -Infinity when none. */
  minTs: number;
  maxTs: number;
  /** Where spans still open at the end of the file end. */
  openEndUs: number;
  /** E / e events with nothing to end. */
  unmatchedEnds: number;
}

const FLAG_CAT = 1;
const FLAG_DUR = 2;
const FLAG_ID_NUMBER = 4;
const FLAG_ID_STRING = 8;
const FLAG_FULL = 128;

const X = 0x58;
const B = 0x42;
const E = 0x45;
const b = 0x62;
const e = 0x65;
const M = 0x4d;

/** A whole-carried event's phase as a character code (0 when it has none of one character). */
function phaseOf(event: TraceEvent | undefined): number {
  return event && event.ph.length === 1 ? event.ph.charCodeAt(0) : 0;
}

/**
 * Pairs begin and end events, groups spans into tracks and packs each track into rows. Working
 * arrays come from `memory` (the builder's arena, touched ahead by a spare thread) while it
 * lasts; the arrays returned are new, so the arena is not kept alive by the summary.
 */
export function layoutSpans(input: SpanLayoutInput, memory = NO_ARENA): SpanLayout {
  const n = input.eventCount;
  const { flags, thread, ts, strings, idStrings, threads, full } = input;
  // Per span, in span order; sized by a count of the begin events first (no growing copies).
  let capacity = 0;
  for (let i = 0; i < n; i++) {
    const phase = flags[i]! & FLAG_FULL ? phaseOf(full.get(i)) : input.ph[i]!;
    if (phase === X || phase === B || phase === b) capacity++;
  }
  const spanEvent = new Int32Array(capacity);
  const spanEnd = new Int32Array(capacity);
  const startUs = memory.float64(capacity);
  const endUs = memory.float64(capacity);
  const spanGroup = memory.int32(capacity);
  let count = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  let unmatchedEnds = 0;

  // Tracks: pid → tid → category → group, as the page groups them; groups that share a
  // track key (worker, child_process → process) are one.
  const groups: { pid: number; tid: number; key: string }[] = [];
  const groupIndex = new Map<number, Map<number, Map<string | undefined, number>>>();
  const keyOfCategory = new Map<string | undefined, string>();
  const groupOf = (pid: number, tid: number, cat: string | undefined): number => {
    let byTid = groupIndex.get(pid);
    if (!byTid) groupIndex.set(pid, (byTid = new Map()));
    let byCat = byTid.get(tid);
    if (!byCat) byTid.set(tid, (byCat = new Map()));
    let group = byCat.get(cat);
    if (group === undefined) {
      let key = keyOfCategory.get(cat);
      if (key === undefined) keyOfCategory.set(cat, (key = sliceTrackKey(cat)));
      group = groups.findIndex((g) => g.pid === pid && g.tid === tid && g.key === key);
      if (group < 0) {
        group = groups.length;
        groups.push({ pid, tid, key });
      }
      byCat.set(cat, group);
    }
    return group;
  };

  // Column events: the group by (thread index, category index), one number per span.
  const groupOfColumns = new Map<number, number>();
  const stride = strings.length + 1;
  let lastColumnsKey = -1;
  let lastColumnsGroup = -1;
  const groupOfColumnEvent = (t: number, catCode: number, pid: number, tid: number, cat: string | undefined): number => {
    const key = t * stride + catCode;
    if (key === lastColumnsKey) return lastColumnsGroup;
    let group = groupOfColumns.get(key);
    if (group === undefined) groupOfColumns.set(key, (group = groupOf(pid, tid, cat)));
    lastColumnsKey = key;
    lastColumnsGroup = group;
    return group;
  };

  /** The group of a begin event: by its column indices (t ≥ 0), else by its values. */
  const trackGroup = (t: number, catCode: number, pid: number, tid: number, cat: string | undefined): number =>
    t >= 0 ? groupOfColumnEvent(t, catCode, pid, tid, cat) : groupOf(pid, tid, cat);

  const addSpan = (eventIndex: number, start: number, end: number, group: number): number => {
    const k = count++;
    startUs[k] = start;
    endUs[k] = end < start ? start : end;
    spanEvent[k] = eventIndex;
    spanEnd[k] = -1;
    spanGroup[k] = group;
    if (start < minTs) minTs = start;
    if (end > maxTs) maxTs = end;
    return k;
  };
  const endSpan = (k: number, at: number, endEvent: number): void => {
    endUs[k] = at < startUs[k]! ? startUs[k]! : at;
    spanEnd[k] = endEvent;
    if (at > maxTs) maxTs = at;
  };

  // B/E stacks per thread ("pid:tid", as the page keys them); async spans by pid, category, id.
  const syncStacks = new Map<string, number[]>();
  const threadKeys: string[] = [];
  for (let t = 0; 2 * t + 1 < threads.length; t++) threadKeys.push(`${threads[2 * t]!}:${threads[2 * t + 1]!}`);
  const asyncOpen = new OpenAsyncSpans();

  let cats = 0;
  let durs = 0;
  let idNumbers = 0;
  let idStringCursor = 0;
  for (let i = 0; i < n; i++) {
    const f = flags[i]!;
    let phase: number;
    let at: number;
    let pid: number;
    let tid: number;
    let threadKey: string;
    let cat: string | undefined;
    let id: unknown;
    let dur: number | undefined;
    // Which track a span of this event goes to (asked only for begin events).
    let t = -1;
    let catCode = 0;
    if (f & FLAG_FULL) {
      const event = full.get(i);
      if (!event) continue;
      phase = phaseOf(event);
      at = event.ts;
      if (phase !== M) {
        if (at < minTs) minTs = at;
        if (at > maxTs) maxTs = at;
      }
      if (phase !== X && phase !== B && phase !== E && phase !== b && phase !== e) continue;
      pid = event.pid;
      tid = event.tid;
      threadKey = `${pid}:${tid}`;
      cat = event.cat;
      id = event.id;
      dur = event.dur;
    } else {
      phase = input.ph[i]!;
      at = ts[i]!;
      t = thread[i]!;
      pid = threads[2 * t]!;
      tid = threads[2 * t + 1]!;
      threadKey = threadKeys[t]!;
      catCode = f & FLAG_CAT ? input.cat[cats++]! + 1 : 0;
      cat = catCode === 0 ? undefined : strings[catCode - 1];
      dur = f & FLAG_DUR ? input.dur[durs++] : undefined;
      // A string id's text only for async spans (flow points, most of the string ids, pair elsewhere).
      if (f & FLAG_ID_NUMBER) id = input.idNumber[idNumbers++];
      else if (f & FLAG_ID_STRING) {
        const index = input.idString[idStringCursor++]!;
        id = phase === b || phase === e ? idStrings.get(index) : undefined;
      } else id = undefined;
      if (phase !== M) {
        if (at < minTs) minTs = at;
        if (at > maxTs) maxTs = at;
      }
    }
    switch (phase) {
      case X:
        addSpan(i, at, at + (dur ?? 0), trackGroup(t, catCode, pid, tid, cat));
        break;
      case B: {
        let stack = syncStacks.get(threadKey);
        if (!stack) syncStacks.set(threadKey, (stack = []));
        stack.push(addSpan(i, at, Number.NaN, trackGroup(t, catCode, pid, tid, cat)));
        break;
      }
      case E: {
        const span = syncStacks.get(threadKey)?.pop();
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, at, i);
        break;
      }
      case b: {
        const span = addSpan(i, at, Number.NaN, trackGroup(t, catCode, pid, tid, cat));
        asyncOpen.open(pid, cat ?? '', id, span);
        break;
      }
      case e: {
        const span = asyncOpen.close(pid, cat ?? '', id);
        if (span === undefined) unmatchedEnds++;
        else endSpan(span, at, i);
        break;
      }
      default:
        break;
    }
  }
  // Spans still open when the snapshot was taken run to the end of the window.
  const openEndUs = typeof input.windowEndTs === 'number' ? Math.max(input.windowEndTs, maxTs) : maxTs;
  for (const stack of syncStacks.values()) for (const span of stack) endSpan(span, openEndUs, -1);
  asyncOpen.forEachOpen((span) => endSpan(span, openEndUs, -1));

  // Each track's spans sorted and packed into rows.
  const groupCount = groups.length;
  const groupStart = new Int32Array(groupCount + 1);
  for (let k = 0; k < count; k++) groupStart[spanGroup[k]! + 1]!++;
  for (let g = 0; g < groupCount; g++) groupStart[g + 1]! += groupStart[g]!;
  const members = memory.int32(count);
  const fill = groupStart.slice(0, groupCount);
  for (let k = 0; k < count; k++) members[fill[spanGroup[k]!]!++] = k;
  const packedOrder = new Int32Array(count);
  const groupRows = new Uint32Array(groupCount);
  const rowItems: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    // The track's members sorted in place (their slice of `members` is not read again).
    const order = sortByStartThenLongest(members.subarray(groupStart[g]!, groupStart[g + 1]!), startUs, endUs, memory);
    const { rowOf, rowCount } = firstFitRows(order, startUs, endUs, memory);
    groupRows[g] = rowCount;
    const rowAt = new Int32Array(rowCount + 1);
    for (let i = 0; i < rowOf.length; i++) rowAt[rowOf[i]! + 1]!++;
    for (let r = 0; r < rowCount; r++) {
      rowItems.push(rowAt[r + 1]!);
      rowAt[r + 1]! += rowAt[r]!;
    }
    const base = groupStart[g]!;
    for (let i = 0; i < order.length; i++) packedOrder[base + rowAt[rowOf[i]!]!++] = order[i]!;
  }
  return {
    event: spanEvent,
    endEvent: spanEnd,
    packedOrder,
    groupRows,
    rowItems: Uint32Array.from(rowItems),
    minTs,
    maxTs,
    openEndUs,
    unmatchedEnds,
  };
}
