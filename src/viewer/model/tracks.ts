// How events are grouped into tracks: which category goes to which track, in which order,
// and what the track is called.
import { sliceTrackKey } from '../../format/event-summary-spans';

export interface TrackKind {
  /** Key inside a thread. */
  key: string;
  title: string;
  /** Category name the filter uses. */
  filter: string;
  order: number;
}

const KNOWN: Record<string, TrackKind> = {
  eventloop: { key: 'eventloop', title: 'Event loop', filter: 'eventloop', order: 0 },
  cpu: { key: 'cpu', title: 'CPU samples', filter: 'cpu', order: 30 },
  gc: { key: 'gc', title: 'GC', filter: 'gc', order: 6 },
  'http.server': { key: 'http.server', title: 'HTTP server', filter: 'http.server', order: 2 },
  'http.client': { key: 'http.client', title: 'HTTP client / fetch', filter: 'http.client', order: 3 },
  net: { key: 'net', title: 'Network', filter: 'net', order: 4 },
  fs: { key: 'fs', title: 'File system', filter: 'fs', order: 5 },
  async: { key: 'async', title: 'Async', filter: 'async', order: 7 },
  user: { key: 'user', title: 'User', filter: 'user', order: 8 },
  process: { key: 'process', title: 'Processes & workers', filter: 'process', order: 9 },
  worker: { key: 'process', title: 'Processes & workers', filter: 'process', order: 9 },
  child_process: { key: 'process', title: 'Processes & workers', filter: 'process', order: 9 },
};

const INSTANTS_ERRORS: TrackKind = { key: 'instants.console', title: 'Console & errors', filter: 'console', order: 1 };
const INSTANTS_MARKS: TrackKind = { key: 'instants.marks', title: 'Marks', filter: 'user', order: 51 };

/** The track kind of a slice (span) of category `category`. */
export function sliceTrackKind(category: string | undefined): TrackKind {
  const cat = primaryCategory(category);
  // Own keys only: a category named "constructor" is just another category. The keys are
  // sliceTrackKey's, which hosts lay spans out by (src/format/event-summary-spans.ts).
  const known = Object.prototype.hasOwnProperty.call(KNOWN, cat) ? KNOWN[cat] : undefined;
  return known ?? { key: sliceTrackKey(cat), title: cat || 'Other', filter: cat || 'other', order: 20 };
}

/** Instants: errors, console, triggers and process events share one track; the rest are marks. */
export function instantTrackKind(category: string | undefined): TrackKind {
  const cat = primaryCategory(category);
  if (cat === 'console' || cat === 'error' || cat === 'trigger' || cat === 'process' || cat === 'worker' || cat === 'child_process') return INSTANTS_ERRORS;
  return INSTANTS_MARKS;
}

/** Chrome traces may list several categories: "v8,devtools.timeline" files under the first. */
export function primaryCategory(category: string | undefined): string {
  if (!category) return '';
  const comma = category.indexOf(',');
  return comma < 0 ? category : category.slice(0, comma);
}

const COUNTER_ORDER = ['Event loop delay', 'Event loop utilization', 'Memory'];

export function counterOrder(name: string): number {
  const index = COUNTER_ORDER.indexOf(name);
  return index < 0 ? COUNTER_ORDER.length : index;
}

/** Unit of a counter series from its arg name: `p99Ms` → ms, `heapUsedMB` → MB. */
export function seriesUnit(seriesName: string, counterName: string): string {
  if (/Ms$/.test(seriesName)) return 'ms';
  if (/Us$/.test(seriesName)) return 'µs';
  if (/MB$/.test(seriesName)) return 'MB';
  if (/bytes$/i.test(seriesName)) return 'B';
  if (/utili[sz]ation/i.test(seriesName) || /utili[sz]ation/i.test(counterName)) return '%';
  return '';
}

/** Readable series names: `p99Ms` → `p99`, `heapUsedMB` → `heap used`. */
export function seriesLabel(seriesName: string): string {
  const bare = seriesName.replace(/(Ms|Us|MB|Bytes)$/, '');
  return bare.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Which series of a counter is drawn as the filled area (the others as lines). */
export function primarySeries(names: string[]): number {
  for (const preferred of ['p99Ms', 'heapUsedMB', 'utilization']) {
    const index = names.indexOf(preferred);
    if (index >= 0) return index;
  }
  return 0;
}
