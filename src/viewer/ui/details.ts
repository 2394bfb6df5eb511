// The Details tab: what is selected (span, instant, CPU frame, counter sample), or an overview
// of the snapshot when nothing is. Every trace string goes in as text.
import type { StackFrame } from '../../format/stack';
import { isInternalFrame, programFrame } from '../../format/stack';
import { frameLabel, hotFunctions, stackOfNode, type CpuFrame, type CpuProfileModel } from '../model/cpu';
import { isRecord } from '../model/load';
import type { CounterTrack, TimelineModel } from '../model/model';
import { framesOf, shortUrl, spanArgs, spanEvent, threadTitle } from '../model/summaries';
import { EventNames } from '../../format/trace-event';
import { formatBinaryBytes } from '../../format/byte-size';
import { LOOP_PROBE_REACH } from '../../format/unprobed-block';
import { formatCount, formatDuration, formatOffset } from '../model/time';
import { primaryCategory } from '../model/tracks';
import { isRequestSpan, requestContext } from '../model/while-open';
import { h } from './dom';
import { formatValue, type Selection } from './timeline';

export interface DetailsActions {
  revealSource(frame: StackFrame): void;
  select(selection: Selection): void;
}

/**
 * `argsNote`: the selected event's args are not here yet (the summary path fetches them from
 * the host) — this sentence stands in for them until they arrive.
 */
export function renderDetails(model: TimelineModel, selection: Selection | undefined, actions: DetailsActions, argsNote?: string): HTMLElement {
  if (!selection) return renderOverview(model, actions);
  switch (selection.kind) {
    case 'span':
      return renderSpan(model, selection.span, actions, argsNote);
    case 'instant':
      return renderInstant(model, selection.event, actions, argsNote);
    case 'flame':
      return renderFlame(model, selection, actions);
    case 'counter':
      return renderCounter(model, selection);
  }
}

/** `ts` from the trigger, to the ms — or finer, as a span's length needs (`resolutionUs`: a sub-ms span's ends differ). */
const offset = (model: TimelineModel, ts: number, resolutionUs = 1000) => formatOffset(ts - model.originUs, resolutionUs);

function threadName(model: TimelineModel, pid: number, tid: number): string {
  return `${threadTitle(model, pid, tid)} · ${model.processes.find((p) => p.pid === pid)?.title ?? `pid ${pid}`}`;
}

function heading(title: string, subtitle: string, chipClass: string): HTMLElement {
  return h('div', { class: 'nfr-details-head' }, h('span', { class: `nfr-chip ${chipClass}` }), h('h2', { class: 'nfr-details-title', title }, title), h('span', { class: 'nfr-details-sub' }, subtitle));
}

function facts(entries: [string, string | HTMLElement][]): HTMLElement {
  const list = h('dl', { class: 'nfr-facts' });
  for (const [key, value] of entries) list.append(h('dt', {}, key), h('dd', {}, value));
  return list;
}

function section(title: string, ...content: (HTMLElement | null)[]): HTMLElement {
  return h('section', { class: 'nfr-section' }, h('h3', {}, title), ...content);
}

/** The events whose args a selection's details show (begin and end of a span, an instant). */
export function argEventsOf(model: TimelineModel, selection: Selection | undefined): number[] {
  if (selection?.kind === 'span') {
    const end = model.spans.endEvent[selection.span]!;
    return end >= 0 ? [model.spans.event[selection.span]!, end] : [model.spans.event[selection.span]!];
  }
  return selection?.kind === 'instant' ? [selection.event] : [];
}

function argsPlaceholder(note: string): HTMLElement {
  return section('Arguments', h('p', { class: 'nfr-empty nfr-args-loading', role: 'status' }, note));
}

function renderSpan(model: TimelineModel, span: number, actions: DetailsActions, argsNote: string | undefined): HTMLElement {
  const event = spanEvent(model, span);
  const args = spanArgs(model, span);
  const start = model.spans.startUs[span]!;
  const end = model.spans.endUs[span]!;
  const unfinished = model.spans.endEvent[span]! < 0 && event.ph !== 'X';
  const cat = primaryCategory(event.cat);
  const root = h('div', { class: 'nfr-details' });
  root.append(heading(event.name || '(unnamed)', cat || 'span', `nfr-cat-${cssSafe(cat)}`));
  const entries: [string, string | HTMLElement][] = [
    ['Duration', unfinished ? `${formatDuration(end - start)} (still running when the snapshot was taken)` : formatDuration(end - start)],
    ['Start', `${offset(model, start, spanResolutionUs(end - start))}  (from trigger)`],
    ['End', offset(model, end, spanResolutionUs(end - start))],
    ['Thread', threadName(model, event.pid, event.tid)],
  ];
  if (typeof args.status === 'number') entries.splice(1, 0, ['Status', statusBadge(args.status)]);
  if (typeof args.error === 'string') entries.splice(1, 0, ['Error', h('span', { class: 'nfr-error-text' }, args.error)]);
  root.append(facts(entries));
  // Why a request took as long as it did comes first, next to its duration.
  if (isRequestSpan(model, span) && end - start > 0) root.append(whileOpenSection(model, span, actions));
  const frames = framesOf(args);
  // Recorded request headers (recordHeaders) as a table of their own, not a JSON block.
  const headers = isStringRecord(args.headers) ? args.headers : undefined;
  const rest = withoutKeys(args, headers ? ['frames', 'framesAtMs', 'stack', 'status', 'error', 'headers'] : ['frames', 'framesAtMs', 'stack', 'status', 'error']);
  if (argsNote !== undefined) root.append(argsPlaceholder(argsNote));
  else if (Object.keys(rest).length > 0) root.append(section('Arguments', argsTable(rest)));
  if (argsNote === undefined && headers) root.append(section('Request headers', argsTable(headers)));
  if (frames.length > 0) root.append(section(cat === 'eventloop' ? whereTitle(args.framesAtMs) : 'Stack', stackList(frames, actions)));
  const causes = model.flows.filter((f) => f.toSpan === span);
  const effects = model.flows.filter((f) => f.fromSpan === span);
  if (causes.length + effects.length > 0) {
    const list = h('ul', { class: 'nfr-links' });
    for (const flow of causes) list.append(h('li', {}, '← caused by ', spanLink(model, flow.fromSpan, actions)));
    for (const flow of effects) list.append(h('li', {}, '→ leads to ', spanLink(model, flow.toSpan, actions)));
    root.append(section('Causality', list));
  }
  const cpu = model.cpuProfiles.find((p) => p.pid === event.pid && p.tid === event.tid) ?? model.cpuProfiles.find((p) => p.pid === event.pid);
  const hot = cpu && end - start > 0 ? hotFunctions(cpu, start, end).filter((f) => f.frame.origin !== 'program').slice(0, 8) : [];
  if (hot.length > 0) root.append(section('CPU during this span (self time)', hotList(hot, end - start, actions)));
  else if (event.name === EventNames.loopBlock && frames.length === 0) root.append(section('Where the thread was', h('p', { class: 'nfr-empty' }, UNPROBED_BLOCK_NOTE)));
  return root;
}

/** A loop block with no stack and no CPU samples: why, and how to get one next time. */
const UNPROBED_BLOCK_NOTE = `Not recorded for this block: ${LOOP_PROBE_REACH}. CPU sampling (cpuSamplingIntervalUs) shows the functions of every block.`;

/**
 * What the request's thread did while it was open: how much of it the loop was blocked (the
 * longest block a link), GC pauses, outgoing requests — or that the loop was free, so the request
 * waited (I/O, timers, a queue) rather than being held up by code on its thread.
 */
function whileOpenSection(model: TimelineModel, span: number, actions: DetailsActions): HTMLElement {
  const { during, longestBlock } = requestContext(model, span);
  const durationUs = model.spans.endUs[span]! - model.spans.startUs[span]!;
  const percent = (us: number) => `${Math.round((100 * us) / durationUs)} %`;
  const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;
  const rows: [string, string | HTMLElement][] = [];
  rows.push(['Loop blocked', during.blocks === 0
    ? 'no — nothing on its thread held it up: it waited (I/O, timers, other work queued)'
    : h('span', {}, `${formatDuration(during.blockedUs)} of it (${percent(during.blockedUs)}), ${plural(during.blocks, 'block', 'blocks')} — longest: `, spanLink(model, longestBlock, actions), ...blockWhere(model, longestBlock, actions))]);
  if (during.collections > 0) rows.push(['GC pauses', `${formatDuration(during.gcUs)} (${percent(during.gcUs)}), ${plural(during.collections, 'collection', 'collections')}`]);
  if (during.outgoing > 0) rows.push(['Outgoing requests', `${formatCount(during.outgoing)} open for ${formatDuration(during.outgoingUs)} of it (${percent(during.outgoingUs)}; by time, not necessarily its own)`]);
  return section('While it was open', facts(rows));
}

/** ` in fn file:line` (the location a link to the source) for a loop block whose frames are here (not on the host still), or nothing. */
function blockWhere(model: TimelineModel, block: number, actions: DetailsActions): (string | HTMLElement)[] {
  const frame = programFrame(framesOf(spanArgs(model, block)));
  return frame ? [` in ${frame.functionName || '(anonymous)'} `, frameLink(frame, actions)] : [];
}

/** A loop block's frames: probed some way into the block (framesAtMs), or where a stuck thread was. */
function whereTitle(framesAtMs: unknown): string {
  return typeof framesAtMs === 'number' && Number.isFinite(framesAtMs) && framesAtMs >= 0
    ? `Where the thread was, ${formatDuration(framesAtMs * 1000)} into the block`
    : 'Where the thread was';
}

function renderInstant(model: TimelineModel, eventIndex: number, actions: DetailsActions, argsNote: string | undefined): HTMLElement {
  const event = model.events[eventIndex]!;
  const cat = primaryCategory(event.cat);
  const root = h('div', { class: 'nfr-details' });
  root.append(heading(event.name || '(unnamed)', cat || 'instant', `nfr-cat-${cssSafe(cat)}`));
  root.append(facts([
    ['Time', `${offset(model, event.ts)}  (from trigger)`],
    ['Thread', threadName(model, event.pid, event.tid)],
  ]));
  const args = event.args ?? {};
  const message = typeof args.message === 'string' ? args.message : typeof args.text === 'string' ? args.text : undefined;
  if (message !== undefined) root.append(section(cat === 'console' ? 'Output' : 'Message', h('pre', { class: 'nfr-pre' }, message)));
  const frames = framesOf(args);
  const rest = withoutKeys(args, ['frames', 'stack', 'message', 'text']);
  if (argsNote !== undefined) root.append(argsPlaceholder(argsNote));
  else if (Object.keys(rest).length > 0) root.append(section('Arguments', argsTable(rest)));
  if (frames.length > 0) root.append(section('Stack', stackList(frames, actions)));
  else if (typeof args.stack === 'string') root.append(section('Stack', h('pre', { class: 'nfr-pre' }, args.stack)));
  return root;
}

function renderFlame(model: TimelineModel, selection: Extract<Selection, { kind: 'flame' }>, actions: DetailsActions): HTMLElement {
  const track = model.tracks[selection.track];
  const root = h('div', { class: 'nfr-details' });
  if (!track || track.kind !== 'flame') return root;
  const cpu = track.cpu;
  const row = track.rows[selection.row]!;
  const node = row.ref[selection.item]!;
  const frame = cpu.frames[cpu.nodeFrame[node]!]!;
  const start = row.startUs[selection.item]!;
  const end = row.endUs[selection.item]!;
  root.append(heading(frameLabel(frame), originLabel(frame), `nfr-origin-${frame.origin}`));
  root.append(facts([
    ['Location', frameLink(toStackFrame(frame), actions)],
    ['Duration', `${formatDuration(end - start)} (sampled)`],
    ['Start', `${offset(model, start)}  (from trigger)`],
    ['Thread', threadName(model, cpu.pid, cpu.tid)],
  ]));
  const stack = stackOfNode(cpu, node).map(toStackFrame);
  root.append(section('Call stack', stackList(stack, actions)));
  const hot = hotFunctions(cpu, start, end).slice(0, 8);
  if (hot.length > 1) root.append(section('Self time inside', hotList(hot, end - start, actions)));
  return root;
}

function renderCounter(model: TimelineModel, selection: Extract<Selection, { kind: 'counter' }>): HTMLElement {
  const track = model.tracks[selection.track] as CounterTrack;
  const root = h('div', { class: 'nfr-details' });
  root.append(heading(track.name, 'counter', 'nfr-cat-counter'));
  const ts = track.series[0]!.ts[selection.sample]!;
  const entries: [string, string][] = [['Time', `${offset(model, ts)}  (from trigger)`]];
  for (const series of track.series) entries.push([series.label, formatValue(series.values[selection.sample]!, series.unit)]);
  for (const series of track.series) entries.push([`max ${series.label}`, formatValue(series.maxValue, series.unit)]);
  root.append(facts(entries));
  return root;
}

function renderOverview(model: TimelineModel, actions: DetailsActions): HTMLElement {
  const meta = model.metadata;
  const root = h('div', { class: 'nfr-details' });
  root.append(heading(model.fileName, model.source === 'snapshot' ? 'flight recorder snapshot' : model.source === 'cpuprofile' ? 'CPU profile' : 'Chrome trace', 'nfr-cat-trigger'));
  const entries: [string, string | HTMLElement][] = [];
  if (model.trigger) entries.push(['Trigger', `${model.trigger.label}${model.trigger.detail ? ` — ${model.trigger.detail}` : ''}`]);
  const stuck = meta?.mainThreadStuck as Record<string, unknown> | undefined;
  const stuckAt = framesOf(stuck)[0];
  if (stuckAt) {
    // A hung process: the first thing to say, with a link to where it hangs.
    const blocked = typeof stuck?.blockedMs === 'number' ? ` — its event loop blocked for ${formatDuration(stuck.blockedMs * 1000)} so far` : '';
    entries.push(['Main thread', h('span', { class: 'nfr-stuck' }, 'stuck in ', h('span', { class: 'nfr-fn' }, stuckAt.functionName || '(anonymous)'), ' ', frameLink(stuckAt, actions), blocked)]);
  }
  if (meta?.programName) entries.push(['Program', meta.programName]);
  if (Array.isArray(meta?.argv)) entries.push(['Command', meta.argv.join(' ')]);
  if (meta?.nodeVersion) entries.push(['Node', `${meta.nodeVersion}${meta.platform ? ` on ${meta.platform}${meta.arch ? `-${meta.arch}` : ''}` : ''}`]);
  if (typeof meta?.pid === 'number') entries.push(['Process', `pid ${meta.pid}${typeof meta.ppid === 'number' ? ` (parent ${meta.ppid})` : ''}`]);
  if (meta?.clockSync && typeof meta.clockSync.epochMs === 'number' && model.trigger) {
    const when = new Date(meta.clockSync.epochMs + (model.trigger.ts - meta.clockSync.ts) / 1000);
    if (!Number.isNaN(when.getTime())) entries.push(['Taken at', when.toISOString().replace('T', ' ').replace('Z', ' UTC')]);
  }
  entries.push(['Window', `${formatDuration(model.endUs - model.startUs)}  (${offset(model, model.startUs)} … ${offset(model, model.endUs)})`]);
  entries.push(['Events', `${formatCount(model.events.length)}${model.skippedEvents ? ` (${model.skippedEvents} malformed entries skipped)` : ''}`]);
  if (typeof meta?.droppedEvents === 'number') entries.push(['Dropped', meta.droppedEvents === 0 ? 'none — the window is complete' : `${formatCount(meta.droppedEvents)} older events overwritten in the ring`]);
  if (meta?.recorder && typeof meta.recorder.maxBytes === 'number') {
    const used = typeof meta.recorder.usedBytes === 'number' ? `${formatBinaryBytes(meta.recorder.usedBytes)} of ` : '';
    entries.push(['Ring', `${used}${formatBinaryBytes(meta.recorder.maxBytes)}`]);
  }
  root.append(facts(entries));
  root.append(h('p', { class: 'nfr-hint' }, 'Click an item on the timeline for its details. Drag to pan, Ctrl + wheel or W / S to zoom, Shift + drag to select a range, 0 to fit.'));
  return root;
}

function statusBadge(status: number): HTMLElement {
  const kind = status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok';
  return h('span', { class: `nfr-status nfr-status-${kind}` }, String(status));
}

/** A twentieth of a span's length, from 1 µs to 1 ms: its start and end told apart. */
function spanResolutionUs(durationUs: number): number {
  return Math.min(1000, Math.max(1, durationUs / 20));
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}

function withoutKeys(args: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (!keys.includes(key)) result[key] = value;
  return result;
}

function argsTable(args: Record<string, unknown>): HTMLElement {
  const table = h('table', { class: 'nfr-args' });
  for (const [key, value] of Object.entries(args).slice(0, 200)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value);
    const cell = text.includes('\n') || text.length > 120 ? h('pre', { class: 'nfr-pre' }, text.slice(0, 20_000)) : h('span', {}, text);
    table.append(h('tr', {}, h('th', {}, key), h('td', {}, cell)));
  }
  return table;
}

export function frameLink(frame: StackFrame, actions: DetailsActions): HTMLElement {
  const location = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber}:${frame.columnNumber}` : '(no location)';
  if (!frame.url || isInternalFrame(frame)) return h('span', { class: 'nfr-frame nfr-frame-internal', title: frame.url }, location);
  const link = h('a', { class: 'nfr-frame', href: '#', title: `Open ${frame.url}:${frame.lineNumber}` }, location);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    actions.revealSource(frame);
  });
  return link;
}

function stackList(frames: StackFrame[], actions: DetailsActions): HTMLElement {
  const list = h('ol', { class: 'nfr-stack' });
  for (const frame of frames) {
    const internal = isInternalFrame(frame);
    list.append(h('li', { class: internal ? 'nfr-internal' : '' }, h('span', { class: 'nfr-fn' }, frame.functionName || '(anonymous)'), ' ', frameLink(frame, actions)));
  }
  return list;
}

function hotList(hot: ReturnType<typeof hotFunctions>, rangeUs: number, actions: DetailsActions): HTMLElement {
  const table = h('table', { class: 'nfr-table nfr-compact' });
  for (const entry of hot) {
    const share = Math.min(1, entry.selfUs / Math.max(1, rangeUs));
    const bar = h('span', { class: 'nfr-bar' });
    bar.style.width = `${Math.round(share * 100)}%`;
    table.append(
      h('tr', {},
        h('td', { class: 'nfr-num' }, formatDuration(entry.selfUs)),
        h('td', { class: 'nfr-barcell' }, bar),
        h('td', {}, h('span', { class: `nfr-fn nfr-origin-text-${entry.frame.origin}` }, frameLabel(entry.frame))),
        h('td', {}, frameLink(toStackFrame(entry.frame), actions))),
    );
  }
  return table;
}

function spanLink(model: TimelineModel, span: number, actions: DetailsActions): HTMLElement {
  const event = spanEvent(model, span);
  const link = h('a', { href: '#', class: 'nfr-link' }, `${event.name} (${formatDuration(model.spans.endUs[span]! - model.spans.startUs[span]!)} at ${offset(model, model.spans.startUs[span]!)})`);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    actions.select({ kind: 'span', span });
  });
  return link;
}

export function toStackFrame(frame: CpuFrame): StackFrame {
  return { functionName: frame.functionName, url: frame.url, lineNumber: frame.lineNumber, columnNumber: frame.columnNumber };
}

function originLabel(frame: CpuFrame): string {
  switch (frame.origin) {
    case 'user':
      return 'your code';
    case 'modules':
      return 'node_modules';
    case 'node':
      return 'Node.js internals';
    case 'gc':
      return 'garbage collector';
    default:
      return 'V8';
  }
}

export function cssSafe(text: string): string {
  return text.replace(/[^a-z0-9-]/gi, '-');
}

export type { CpuProfileModel };
