// Vertical layout of the timeline: process and thread headers and tracks stacked top to bottom,
// honouring collapsed groups and hidden categories. Recomputed only when those change.
import { rowCountOf, type ProcessGroup, type Track, type TimelineModel } from './model';

export const PROCESS_HEADER_PX = 30;
export const THREAD_HEADER_PX = 24;
export const SLICE_ROW_PX = 20;
export const FLAME_ROW_PX = 17;
export const COUNTER_PX = 52;
export const INSTANT_PX = 26;
export const TRACK_PAD_PX = 4;

export interface LayoutItem {
  kind: 'process' | 'thread' | 'track';
  /** Collapse key. */
  key: string;
  title: string;
  y: number;
  height: number;
  collapsed: boolean;
  track?: Track;
  process?: ProcessGroup;
  /** Rows drawn (slices/flame): all, or 1 when collapsed. */
  rowsShown: number;
  rowPx: number;
  /** Alternating background. */
  stripe: boolean;
}

export function layoutTracks(model: TimelineModel, collapsed: Set<string>, hiddenCategories: Set<string>): { items: LayoutItem[]; heightPx: number } {
  const items: LayoutItem[] = [];
  let y = 0;
  let stripe = false;
  const multiProcess = model.processes.length > 1;
  for (const process of model.processes) {
    const processCollapsed = collapsed.has(process.id);
    items.push({ kind: 'process', key: process.id, title: process.title, y, height: PROCESS_HEADER_PX, collapsed: processCollapsed, process, rowsShown: 0, rowPx: 0, stripe: false });
    y += PROCESS_HEADER_PX;
    if (processCollapsed) continue;
    const addTrack = (track: Track) => {
      if (hiddenCategories.has(track.filter)) return;
      const trackCollapsed = collapsed.has(track.id);
      let height: number;
      let rowsShown = 0;
      let rowPx = 0;
      if (track.kind === 'slices' || track.kind === 'flame') {
        rowPx = track.kind === 'flame' ? FLAME_ROW_PX : SLICE_ROW_PX;
        const rows = rowCountOf(track);
        rowsShown = trackCollapsed ? Math.min(1, rows) : rows;
        height = Math.max(1, rowsShown) * rowPx + TRACK_PAD_PX * 2;
      } else if (track.kind === 'counter') {
        height = trackCollapsed ? INSTANT_PX : COUNTER_PX;
      } else {
        height = INSTANT_PX;
      }
      stripe = !stripe;
      items.push({ kind: 'track', key: track.id, title: track.title, y, height, collapsed: trackCollapsed, track, process, rowsShown, rowPx, stripe });
      y += height;
    };
    for (const counter of process.counters) addTrack(counter);
    for (const thread of process.threads) {
      const key = `${process.pid}:${thread.tid}`;
      const visible = thread.tracks.filter((t) => !hiddenCategories.has(t.filter));
      if (visible.length === 0) continue;
      const showHeader = process.threads.length > 1 || multiProcess || thread.title !== 'Main thread' || process.counters.length > 0;
      const threadCollapsed = collapsed.has(key);
      if (showHeader) {
        items.push({ kind: 'thread', key, title: thread.title, y, height: THREAD_HEADER_PX, collapsed: threadCollapsed, process, rowsShown: 0, rowPx: 0, stripe: false });
        y += THREAD_HEADER_PX;
        if (threadCollapsed) continue;
      }
      for (const track of thread.tracks) addTrack(track);
    }
  }
  return { items, heightPx: y };
}

/** The item at content y (binary search; items are sorted by y). */
export function itemAtY(items: LayoutItem[], y: number): LayoutItem | undefined {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const item = items[mid]!;
    if (y < item.y) hi = mid - 1;
    else if (y >= item.y + item.height) lo = mid + 1;
    else return item;
  }
  return undefined;
}
