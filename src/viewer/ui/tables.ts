// The summary tabs: sortable-at-a-glance tables whose rows select and reveal the event.
// Rows are focusable; Enter or Space activates them like a click.
import type { StackFrame } from '../../format/stack';
import { frameLabel, hotFunctions } from '../model/cpu';
import type { TimelineModel } from '../model/model';
import { formatMegabytes, gcTotals, longestLoopBlocks, newestErrors, selectionStats, slowestRequests, type GcKindTotals, type SpanRow } from '../model/summaries';
import { formatCount, formatDuration, formatOffset } from '../model/time';
import { frameLink, toStackFrame, type DetailsActions } from './details';
import { loopBlockedUs } from '../model/while-open';
import { h } from './dom';
import type { BoxSelection, Selection } from './timeline';

interface Column<T> {
  title: string;
  numeric?: boolean;
  cell: (row: T) => string | HTMLElement;
}

function table<T>(columns: Column<T>[], rows: T[], activate: (row: T) => void, empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'nfr-empty' }, empty);
  const head = h('tr', {});
  for (const column of columns) head.append(h('th', { class: column.numeric ? 'nfr-num' : '' }, column.title));
  const body = h('tbody', {});
  for (const row of rows) {
    const tr = h('tr', { tabindex: '0', class: 'nfr-row' });
    for (const column of columns) tr.append(h('td', { class: column.numeric ? 'nfr-num' : '' }, column.cell(row)));
    tr.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('a')) return;
      activate(row);
    });
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        activate(row);
      }
    });
    body.append(tr);
  }
  return h('table', { class: 'nfr-table' }, h('thead', {}, head), body);
}

function durationBar(valueUs: number, maxUs: number, failed = false): HTMLElement {
  const bar = h('span', { class: `nfr-bar${failed ? ' nfr-bar-bad' : ''}` });
  bar.style.width = `${Math.max(2, Math.round((valueUs / Math.max(1, maxUs)) * 100))}%`;
  return h('span', { class: 'nfr-barwrap' }, bar);
}

export interface TableActions extends DetailsActions {
  revealSource(frame: StackFrame): void;
  select(selection: Selection): void;
}

/** `spans`: the rows to show (slowestRequestSpans), when the caller already picked them. */
export function renderRequests(model: TimelineModel, actions: TableActions, spans?: number[]): HTMLElement {
  const rows = spans ? slowestRequests(model, spans.length, spans) : slowestRequests(model);
  const max = rows[0]?.durationUs ?? 1;
  // How much of each its loop was blocked: held up by code on its thread, or waiting.
  const blocked = loopBlockedUs(model, rows.map((r) => r.span));
  const blockedOf = new Map(rows.map((r, i) => [r, blocked[i]!]));
  return table<SpanRow>([
    { title: 'Duration', numeric: true, cell: (r) => formatDuration(r.durationUs) },
    { title: '', cell: (r) => durationBar(r.durationUs, max, r.failed) },
    { title: 'Request', cell: (r) => h('span', { class: r.failed ? 'nfr-error-text' : '' }, r.name) },
    { title: 'Outcome', cell: (r) => r.detail },
    { title: 'Loop blocked', numeric: true, cell: (r) => ((blockedOf.get(r) ?? 0) > 0 ? formatDuration(blockedOf.get(r)!) : '—') },
    { title: 'Start', numeric: true, cell: (r) => formatOffset(r.startUs - model.originUs) },
  ], rows, (r) => actions.select({ kind: 'span', span: r.span }), 'No HTTP requests in this snapshot.');
}

export function renderLoopBlocks(model: TimelineModel, actions: TableActions): HTMLElement {
  const rows = longestLoopBlocks(model);
  const max = rows[0]?.durationUs ?? 1;
  // Whose loop, when blocks come from more than one thread (a worker's and the main thread's).
  const threadColumn = new Set(rows.map((r) => r.thread)).size > 1 ? [{ title: 'Thread', cell: (r: SpanRow) => r.thread ?? '' }] : [];
  return table<SpanRow>([
    { title: 'Blocked for', numeric: true, cell: (r) => formatDuration(r.durationUs) },
    { title: '', cell: (r) => durationBar(r.durationUs, max) },
    ...threadColumn,
    { title: 'Where', cell: (r) => r.detail || '—' },
    { title: 'Start', numeric: true, cell: (r) => formatOffset(r.startUs - model.originUs) },
  ], rows, (r) => actions.select({ kind: 'span', span: r.span }), 'The event loop was never blocked longer than the threshold in this window.');
}

export function renderGc(model: TimelineModel, actions: TableActions): HTMLElement {
  const totals = gcTotals(model);
  if (totals.count === 0) return h('p', { class: 'nfr-empty' }, 'No garbage collections recorded in this window.');
  const share = (totals.totalUs / Math.max(1, totals.windowUs)) * 100;
  // Heap freed: only traced collections say (V8's used heap before and after); a share of them
  // is named as such, so a total over some is not read as a total over all.
  const freed = totals.measured === 0 ? '' : ` ${totals.measured < totals.count ? `${formatCount(totals.measured)} of them freed` : 'Freed'} ${formatMegabytes(totals.freedMB)} of heap.`;
  const summary = h('p', { class: 'nfr-summary-line' }, `${formatCount(totals.count)} collections, ${formatDuration(totals.totalUs)} in total — ${share.toFixed(1)} % of the window.${freed}`);
  const freedCell = (k: GcKindTotals) => (k.measured === 0 ? '—' : `${formatMegabytes(k.freedMB)}${k.measured < k.count ? ` (${formatCount(k.measured)} of ${formatCount(k.count)})` : ''}`);
  const kinds = table<GcKindTotals>([
    { title: 'Kind', cell: (k) => k.kind },
    { title: 'Count', numeric: true, cell: (k) => formatCount(k.count) },
    { title: 'Total', numeric: true, cell: (k) => formatDuration(k.totalUs) },
    { title: 'Average', numeric: true, cell: (k) => formatDuration(k.totalUs / k.count) },
    { title: 'Longest', numeric: true, cell: (k) => formatDuration(k.maxUs) },
    ...(totals.measured === 0 ? [] : [{ title: 'Heap freed', numeric: true, cell: freedCell }]),
  ], totals.kinds, () => undefined, '');
  const max = totals.longest[0]?.durationUs ?? 1;
  const longest = table<SpanRow>([
    { title: 'Pause', numeric: true, cell: (r) => formatDuration(r.durationUs) },
    { title: '', cell: (r) => durationBar(r.durationUs, max) },
    { title: 'Collection', cell: (r) => r.name },
    ...(totals.measured === 0 ? [] : [{ title: 'Heap', cell: (r: SpanRow) => r.detail || '—' }]),
    { title: 'Start', numeric: true, cell: (r) => formatOffset(r.startUs - model.originUs) },
  ], totals.longest.slice(0, 50), (r) => actions.select({ kind: 'span', span: r.span }), '');
  return h('div', {}, summary, kinds, h('h3', { class: 'nfr-subhead' }, 'Longest pauses'), longest);
}

export function renderErrors(model: TimelineModel, actions: TableActions): HTMLElement {
  const { rows, total } = newestErrors(model);
  const list = table([
    { title: 'Time', numeric: true, cell: (r: (typeof rows)[number]) => formatOffset(r.ts - model.originUs) },
    { title: 'What', cell: (r) => h('span', { class: 'nfr-error-text' }, r.name) },
    { title: 'Message', cell: (r) => r.message },
  ], rows, (r) => actions.select(r.span >= 0 ? { kind: 'span', span: r.span } : { kind: 'instant', event: r.event, track: trackOfEvent(model, r.event) }), 'No errors, exceptions, rejections or failed requests in this window.');
  // The tab's count is every error: say when the table holds only the newest of them.
  if (total <= rows.length) return list;
  return h('div', {}, h('p', { class: 'nfr-summary-line' }, `The newest ${formatCount(rows.length)} of ${formatCount(total)} errors.`), list);
}

function trackOfEvent(model: TimelineModel, event: number): number {
  for (const track of model.tracks) {
    if (track.kind !== 'instants') continue;
    for (let i = 0; i < track.count; i++) if (track.ref[i] === event) return track.index;
  }
  return -1;
}

export function renderHotFunctions(model: TimelineModel, actions: TableActions): HTMLElement {
  if (model.cpuProfiles.length === 0) {
    return h('p', { class: 'nfr-empty' }, 'No CPU samples in this snapshot. Record with CPU sampling on (e.g. `flight-recorder run --cpu-sampling -- node app.js`) to see the hottest functions.');
  }
  const parts: HTMLElement[] = [];
  for (const cpu of model.cpuProfiles) {
    const track = model.tracks.find((t) => t.kind === 'flame' && t.cpu === cpu);
    const hot = hotFunctions(cpu).filter((f) => f.frame.origin !== 'program' && f.frame.origin !== 'idle').slice(0, 200);
    let sampled = 0;
    // Share of the time the thread was on the CPU (idle samples do not count).
    for (let i = 0; i < cpu.sampleCount; i++) {
      const node = cpu.sampleNode[i]!;
      if (node >= 0 && cpu.frames[cpu.nodeFrame[node]!]!.origin !== 'idle') sampled += cpu.sampleDurUs[i]!;
    }
    const max = hot[0]?.selfUs ?? 1;
    if (model.cpuProfiles.length > 1) parts.push(h('h3', { class: 'nfr-subhead' }, `pid ${cpu.pid} · thread ${cpu.tid}`));
    parts.push(table([
      { title: 'Self', numeric: true, cell: (f: (typeof hot)[number]) => formatDuration(f.selfUs) },
      { title: '', cell: (f) => durationBar(f.selfUs, max) },
      { title: 'of busy', numeric: true, cell: (f) => `${((f.selfUs / Math.max(1, sampled)) * 100).toFixed(1)} %` },
      { title: 'Total', numeric: true, cell: (f) => formatDuration(f.totalUs) },
      { title: 'Function', cell: (f) => h('span', { class: `nfr-fn nfr-origin-text-${f.frame.origin}` }, frameLabel(f.frame)) },
      { title: 'Location', cell: (f) => frameLink(toStackFrame(f.frame), actions) },
    ], hot, (f) => {
      // Select the longest stretch of this function on the flame chart.
      if (!track || track.kind !== 'flame') return;
      let best: Selection | undefined;
      let bestUs = -1;
      track.rows.forEach((row, r) => {
        for (let i = 0; i < row.count; i++) {
          if (cpu.nodeFrame[row.ref[i]!] !== f.frameIndex) continue;
          const d = row.endUs[i]! - row.startUs[i]!;
          if (d > bestUs) {
            bestUs = d;
            best = { kind: 'flame', track: track.index, row: r, item: i };
          }
        }
      });
      if (best) actions.select(best);
    }, 'No samples.'));
  }
  return h('div', {}, ...parts);
}

export function renderSelection(model: TimelineModel, box: BoxSelection | undefined, actions: TableActions): HTMLElement {
  if (!box) return h('p', { class: 'nfr-empty' }, 'Shift + drag across tracks (or drag on the time axis) to select a range; its totals appear here.');
  const stats = selectionStats(model, box.tracks, box.startUs, box.endUs);
  const header = h('p', { class: 'nfr-summary-line' }, `${formatDuration(box.endUs - box.startUs)} selected (${formatOffset(box.startUs - model.originUs)} … ${formatOffset(box.endUs - model.originUs)}) — ${formatCount(stats.spanCount)} spans in ${box.tracks.length} tracks.`);
  const max = stats.byName[0]?.totalUs ?? 1;
  const byName = table([
    { title: 'Total', numeric: true, cell: (e: (typeof stats.byName)[number]) => formatDuration(e.totalUs) },
    { title: '', cell: (e) => durationBar(e.totalUs, max) },
    { title: 'Count', numeric: true, cell: (e) => formatCount(e.count) },
    { title: 'Average', numeric: true, cell: (e) => formatDuration(e.totalUs / e.count) },
    { title: 'Longest', numeric: true, cell: (e) => formatDuration(e.maxUs) },
    { title: 'Name', cell: (e) => e.name },
    { title: 'Category', cell: (e) => e.category },
  ], stats.byName.slice(0, 300), (e) => actions.select({ kind: 'span', span: e.firstSpan }), 'No spans in the selected range.');
  const parts: HTMLElement[] = [header, byName];
  const cpuTracks = box.tracks.map((i) => model.tracks[i]).filter((t) => t?.kind === 'flame');
  for (const track of cpuTracks) {
    if (!track || track.kind !== 'flame') continue;
    const hot = hotFunctions(track.cpu, box.startUs, box.endUs).filter((f) => f.frame.origin !== 'idle').slice(0, 15);
    if (hot.length === 0) continue;
    const maxSelf = hot[0]!.selfUs;
    parts.push(h('h3', { class: 'nfr-subhead' }, 'CPU in the range (self time)'));
    parts.push(table([
      { title: 'Self', numeric: true, cell: (f: (typeof hot)[number]) => formatDuration(f.selfUs) },
      { title: '', cell: (f) => durationBar(f.selfUs, maxSelf) },
      { title: 'Function', cell: (f) => frameLabel(f.frame) },
      { title: 'Location', cell: (f) => frameLink(toStackFrame(f.frame), actions) },
    ], hot, () => undefined, ''));
  }
  return h('div', {}, ...parts);
}
