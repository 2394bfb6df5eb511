// The viewer page: toolbar (file, trigger, search, range), category filters, the canvas
// timeline, and the bottom panel (details and summary tabs). Wires host messages to the model.
import type { StackFrame } from '../../format/stack';
import type { LoadProgress, ViewerState } from '../../format/viewer-protocol';
import type { Host, HostMessage } from '../host';
import { frameLabel } from '../model/cpu';
import { loadTraceText, type LoadedTrace } from '../model/load';
import { buildModel, type CounterTrack, type TimelineModel } from '../model/model';
import { StreamingTraceLoader } from '../model/stream-load';
import { search, searchNeedle, type SearchResult } from '../model/search';
import { errorCount, messageOf, slowestRequestSpans, spanArgEvents, spanArgs, spanEvent } from '../model/summaries';
import { formatCount, formatDuration, formatOffset } from '../model/time';
import { argEventsOf, renderDetails, type DetailsActions } from './details';
import { clear, h } from './dom';
import { loadProgressText } from './load-progress';
import { renderErrors, renderGc, renderHotFunctions, renderLoopBlocks, renderRequests, renderSelection } from './tables';
import { readTheme } from './theme';
import { formatValue, sameSelection, Timeline, type BoxSelection, type Selection } from './timeline';

type TabId = 'details' | 'requests' | 'loop' | 'gc' | 'errors' | 'cpu' | 'selection';
const TABS: { id: TabId; title: string }[] = [
  { id: 'details', title: 'Details' },
  { id: 'requests', title: 'Slowest requests' },
  { id: 'loop', title: 'Loop blocks' },
  { id: 'gc', title: 'GC' },
  { id: 'errors', title: 'Errors' },
  { id: 'cpu', title: 'Hot functions' },
  { id: 'selection', title: 'Range' },
];

const CATEGORY_TITLES: Record<string, string> = {
  eventloop: 'Event loop', cpu: 'CPU', gc: 'GC', 'http.server': 'HTTP server', 'http.client': 'HTTP client', net: 'Network',
  fs: 'File system', async: 'Async', user: 'User', process: 'Processes', console: 'Console & errors', memory: 'Memory', counters: 'Counters',
};

/** A text in our writer's layout, read by the streaming reader; undefined for anything else. */
function readOurLayout(text: string): LoadedTrace | undefined {
  if (!text.startsWith('{"traceEvents":[\n')) return undefined;
  const loader = new StreamingTraceLoader();
  loader.feed(new TextEncoder().encode(text));
  return loader.active ? loader.finish() : undefined;
}

export class App {
  private model: TimelineModel | undefined;
  private timeline: Timeline | undefined;
  private tab: TabId = 'details';
  private searchResult: SearchResult | undefined;
  /** What the tooltip shows, so args that arrive later refresh it only if it still does. */
  private hovered: Selection | undefined;
  private searchCursor = -1;
  /** The query the host is still searching the file for (summary path). */
  private searchPending: string | undefined;
  private stateTimer = 0;
  private readonly tooltip = h('div', { class: 'nfr-tooltip', role: 'tooltip', hidden: true });
  private readonly toast = h('div', { class: 'nfr-toast', role: 'status', 'aria-live': 'polite', hidden: true });
  private panelBody: HTMLElement | undefined;
  private tabButtons = new Map<TabId, HTMLButtonElement>();
  private rangeLabel: HTMLElement | undefined;
  private searchInput: HTMLInputElement | undefined;
  private searchCount: HTMLElement | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    document.body.append(this.tooltip, this.toast);
    this.showLoading();
  }

  handle(message: HostMessage): void {
    try {
      switch (message.type) {
        case 'init':
          this.open(message.fileName, message.text, message.state, message.mark);
          break;
        case 'loaded':
          this.show(message.fileName, message.trace, message.state, message.mark);
          break;
        case 'summary':
        case 'bytes':
        case 'searchResult':
          // The host layer (host.ts) answers these; they never reach the app.
          break;
        case 'loadError':
          this.showError(message.fileName, message.message);
          break;
        case 'select':
          this.selectNear(message.ts, message.pid, message.tid);
          break;
      }
    } catch (error) {
      const text = error instanceof Error ? `${error.message}` : String(error);
      this.showError('viewer', `The viewer failed: ${text}`);
      this.host.post({ type: 'error', message: text });
    }
  }

  /** Shows where a source location is, for hosts without an editor (the browser). */
  showSourceLocation(frame: StackFrame): void {
    const location = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
    this.showToast(`${frame.functionName || '(anonymous)'} — ${location}`, 'copied to the clipboard');
    navigator.clipboard?.writeText(location).catch(() => undefined);
  }

  private showLoading(): void {
    clear(this.root);
    this.root.append(h('div', { class: 'nfr-loading' }, h('div', { class: 'nfr-spinner' }), h('p', {}, 'Loading trace…')));
  }

  /**
   * Says on the loading screen how loading goes — "Reading the snapshot… 45 % of 177 MB" while
   * a host reads a large file for its summary, "Downloading trace… 45 of 176 MB" while the
   * browser host downloads it whole — with a progress bar (in the spinner's place) where the
   * share is known.
   */
  showLoadProgress(progress: LoadProgress): void {
    const loading = this.root.querySelector('.nfr-loading');
    const label = loading?.querySelector('p');
    if (!loading || !label) return;
    const text = loadProgressText(progress);
    const share = progress.kind === 'summary' ? progress.readFraction : progress.totalBytes ? Math.min(1, progress.receivedBytes / progress.totalBytes) : undefined;
    label.textContent = text;
    // What the loading screen said last, kept on the root once the timeline replaces it: the
    // end-to-end tests read it in VS Code, where they cannot watch the screen change.
    this.root.dataset.loadProgress = text;
    let bar = loading.querySelector('progress');
    if (share === undefined) {
      bar?.remove();
      return;
    }
    if (!bar) bar = loading.insertBefore(h('progress', { max: '1', 'aria-label': 'Loading progress' }), label);
    bar.value = share;
  }

  showError(fileName: string, message: string): void {
    clear(this.root);
    document.title = `${fileName} — Flight Recorder`;
    this.root.append(
      h('div', { class: 'nfr-error', role: 'alert' },
        h('div', { class: 'nfr-error-icon' }, '!'),
        h('h1', {}, 'This file cannot be shown'),
        h('p', { class: 'nfr-error-file' }, fileName),
        h('pre', { class: 'nfr-error-message' }, message),
        h('ul', { class: 'nfr-error-hints' },
          h('li', {}, 'Snapshots are written atomically; a truncated file usually comes from a copy or download that was cut short.'),
          h('li', {}, 'The viewer reads Node Flight Recorder snapshots (.nodetrace.json), Chrome trace JSON and .cpuprofile files.'),
          h('li', {}, 'Check it from a terminal: flight-recorder summary <file>'))),
    );
  }

  private open(fileName: string, text: string, state: ViewerState | undefined, mark: { ts: number; label: string } | undefined): void {
    // Our own layout reads fastest as bytes (stream-load.ts); anything else, or a damaged file,
    // goes to the shared reader, which also words the errors.
    const streamed = readOurLayout(text);
    const loaded = streamed ?? loadTraceText(text, fileName);
    performance.mark('nfr-parsed');
    if ('error' in loaded) {
      this.showError(fileName, loaded.error);
      return;
    }
    this.show(fileName, loaded, state, mark);
  }

  private show(fileName: string, loaded: LoadedTrace, state: ViewerState | undefined, mark: { ts: number; label: string } | undefined): void {
    const model = buildModel(loaded, fileName);
    performance.mark('nfr-model-built');
    if (model.tracks.length === 0) {
      this.showError(fileName, `The file is a valid trace but holds nothing to draw (${model.events.length} events, none of them spans, instants, counters or CPU samples).`);
      return;
    }
    this.model = model;
    this.buildPage(model);
    const timeline = this.timeline!;
    if (mark) timeline.mark = mark;
    if (state) this.restore(state);
    this.renderPanel();
    this.updateRange();
  }

  private buildPage(model: TimelineModel): void {
    clear(this.root);
    document.title = `${model.fileName} — Flight Recorder`;
    const toolbar = this.buildToolbar(model);
    const filters = this.buildFilters(model);
    const canvas = h('canvas', { class: 'nfr-canvas', tabindex: '0', 'aria-label': 'Timeline. W and S zoom, A and D pan, arrow keys scroll, 0 fits, Escape clears the selection.' });
    const timelineBox = h('div', { class: 'nfr-timeline' }, canvas);
    const splitter = h('div', { class: 'nfr-splitter', role: 'separator', 'aria-orientation': 'horizontal', tabindex: '0', title: 'Drag to resize' });
    const tabs = h('div', { class: 'nfr-tabs', role: 'tablist' });
    for (const tab of TABS) {
      const button = h('button', { class: 'nfr-tab', role: 'tab', type: 'button', 'data-tab': tab.id }, tab.title, h('span', { class: 'nfr-tab-count' }));
      button.addEventListener('click', () => this.setTab(tab.id));
      tabs.append(button);
      this.tabButtons.set(tab.id, button);
    }
    this.panelBody = h('div', { class: 'nfr-panel-body', role: 'tabpanel' });
    const panel = h('section', { class: 'nfr-panel' }, tabs, this.panelBody);
    const main = h('div', { class: 'nfr-main' }, timelineBox, splitter, panel);
    this.root.append(h('div', { class: 'nfr-app' }, toolbar, filters, main));

    const theme = readTheme(document.body);
    const timeline = new Timeline(canvas, model, theme, {
      select: (selection) => this.onSelect(selection, false),
      boxSelect: (box) => this.onBox(box),
      hover: (selection, x, y) => this.showTooltip(selection, x, y),
      viewChanged: () => {
        this.tooltip.hidden = true;
        this.updateRange();
        this.saveStateSoon();
      },
      layoutChanged: () => this.saveStateSoon(),
    });
    this.timeline = timeline;
    this.fillTabCounts(model);

    const resize = () => timeline.resize(timelineBox.clientWidth, timelineBox.clientHeight);
    new ResizeObserver(resize).observe(timelineBox);
    // Browser zoom changes devicePixelRatio without resizing the box: redraw sharp.
    window.addEventListener('resize', resize);
    resize();
    // Theme changes: VS Code swaps body classes; browsers flip prefers-color-scheme.
    new MutationObserver(() => timeline.setTheme(readTheme(document.body))).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => timeline.setTheme(readTheme(document.body)));
    this.installSplitter(splitter, panel);
    this.installKeyboard(canvas);
    this.exposeAutomation(timeline);
  }

  private buildToolbar(model: TimelineModel): HTMLElement {
    const meta = model.metadata;
    const facts: string[] = [];
    if (meta?.nodeVersion) facts.push(`Node ${meta.nodeVersion}`);
    if (typeof meta?.pid === 'number') facts.push(`pid ${meta.pid}`);
    facts.push(`${formatDuration(model.endUs - model.startUs)} window`);
    facts.push(`${formatCount(model.events.length)} events`);
    const title = h('div', { class: 'nfr-title' },
      h('span', { class: 'nfr-logo', 'aria-hidden': 'true' }),
      h('span', { class: 'nfr-file', title: model.fileName }, meta?.programName ?? model.fileName),
      h('span', { class: 'nfr-facts-inline' }, facts.join(' · ')));
    const items: HTMLElement[] = [title];
    if (model.trigger) {
      const chip = h('button', { class: 'nfr-trigger', type: 'button', title: 'Show the moment the snapshot was triggered' },
        h('span', { class: 'nfr-trigger-flag' }, '⚑'), h('span', {}, model.trigger.label), model.trigger.detail ? h('span', { class: 'nfr-trigger-detail' }, model.trigger.detail) : null);
      chip.addEventListener('click', () => {
        const t = model.trigger!.ts;
        const span = Math.min(model.endUs - model.startUs, 2_000_000);
        this.timeline?.setRange(t - span * 0.8, t + span * 0.2);
      });
      items.push(chip);
    }
    items.push(h('div', { class: 'nfr-spacer' }));
    const input = h('input', { class: 'nfr-search-input', type: 'search', placeholder: 'Search name, URL, function  ( / )', 'aria-label': 'Search events', spellcheck: 'false' });
    const count = h('span', { class: 'nfr-search-count', 'aria-live': 'polite' });
    const previous = h('button', { class: 'nfr-icon-button', type: 'button', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, '‹');
    const next = h('button', { class: 'nfr-icon-button', type: 'button', title: 'Next match (Enter)', 'aria-label': 'Next match' }, '›');
    let timer = 0;
    input.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => this.runSearch(input.value), 120);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        window.clearTimeout(timer);
        if (this.searchResult?.query !== input.value) this.runSearch(input.value);
        this.stepSearch(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape') {
        input.value = '';
        this.runSearch('');
        (this.root.querySelector('.nfr-canvas') as HTMLElement | null)?.focus();
      }
    });
    previous.addEventListener('click', () => this.stepSearch(-1));
    next.addEventListener('click', () => this.stepSearch(1));
    this.searchInput = input;
    this.searchCount = count;
    items.push(h('div', { class: 'nfr-search' }, h('span', { class: 'nfr-search-icon', 'aria-hidden': 'true' }), input, count, previous, next));
    this.rangeLabel = h('span', { class: 'nfr-range', title: 'Visible range, relative to the trigger' });
    items.push(this.rangeLabel);
    const fit = h('button', { class: 'nfr-button', type: 'button', title: 'Show the whole window (0)' }, 'Fit');
    fit.addEventListener('click', () => this.timeline?.fit());
    items.push(fit);
    const help = h('button', { class: 'nfr-icon-button', type: 'button', title: 'Keyboard and mouse', 'aria-label': 'Keyboard and mouse help' }, '?');
    help.addEventListener('click', () => this.toggleHelp());
    items.push(help);
    return h('header', { class: 'nfr-toolbar' }, ...items);
  }

  private buildFilters(model: TimelineModel): HTMLElement {
    const bar = h('div', { class: 'nfr-filters', role: 'toolbar', 'aria-label': 'Show categories' });
    bar.append(h('span', { class: 'nfr-filters-label' }, 'Tracks'));
    for (const category of model.categories) {
      const chip = h('button', { class: `nfr-filter nfr-cat-${category.replace(/[^a-z0-9-]/gi, '-')}`, type: 'button', 'aria-pressed': 'true', 'data-category': category }, h('span', { class: 'nfr-dot' }), CATEGORY_TITLES[category] ?? category);
      chip.addEventListener('click', () => {
        const timeline = this.timeline;
        if (!timeline) return;
        if (timeline.hiddenCategories.has(category)) timeline.hiddenCategories.delete(category);
        else timeline.hiddenCategories.add(category);
        chip.setAttribute('aria-pressed', String(!timeline.hiddenCategories.has(category)));
        timeline.relayout();
        this.saveStateSoon();
      });
      bar.append(chip);
    }
    const collapseAll = h('button', { class: 'nfr-link-button', type: 'button' }, 'Collapse all');
    collapseAll.addEventListener('click', () => {
      const timeline = this.timeline;
      if (!timeline) return;
      const anyOpen = model.tracks.some((t) => !timeline.collapsed.has(t.id));
      for (const track of model.tracks) {
        if (anyOpen) timeline.collapsed.add(track.id);
        else timeline.collapsed.delete(track.id);
      }
      collapseAll.textContent = anyOpen ? 'Expand all' : 'Collapse all';
      timeline.relayout();
      this.saveStateSoon();
    });
    bar.append(h('div', { class: 'nfr-spacer' }), collapseAll);
    return bar;
  }

  private fillTabCounts(model: TimelineModel): void {
    let requests = 0;
    let loop = 0;
    let gc = 0;
    // Counted by track: a slice track's filter is its spans' primary category for these.
    for (const track of model.tracks) {
      if (track.kind !== 'slices') continue;
      let spans = 0;
      for (const row of track.rows) spans += row.count;
      if (track.filter === 'http.server' || track.filter === 'http.client') requests += spans;
      else if (track.filter === 'eventloop') loop += spans;
      else if (track.filter === 'gc') gc += spans;
    }
    const set = (id: TabId, value: number, alert = false) => {
      const badge = this.tabButtons.get(id)?.querySelector('.nfr-tab-count');
      if (badge) {
        badge.textContent = value > 0 ? formatCount(value) : '';
        badge.classList.toggle('nfr-tab-count-alert', alert && value > 0);
      }
    };
    set('requests', requests);
    set('loop', loop, true);
    set('gc', gc);
    // The errors are counted as the Errors tab lists them (console errors and failed requests
    // too), which reads every request's columns: after the first frame is on screen.
    requestAnimationFrame(() => setTimeout(() => {
      if (this.model === model) set('errors', errorCount(model), true);
    }, 0));
  }

  private setTab(tab: TabId): void {
    this.tab = tab;
    this.renderPanel();
    this.saveStateSoon();
  }

  private renderPanel(): void {
    const model = this.model;
    const body = this.panelBody;
    if (!model || !body || !this.timeline) return;
    for (const [id, button] of this.tabButtons) {
      button.setAttribute('aria-selected', String(id === this.tab));
      button.classList.toggle('nfr-tab-active', id === this.tab);
    }
    const actions: DetailsActions = {
      revealSource: (frame) => this.host.post({ type: 'reveal', frame }),
      select: (selection) => this.onSelect(selection, true),
    };
    clear(body);
    switch (this.tab) {
      case 'details': {
        const selection = this.timeline.selection;
        const waiting = this.whenArgsArrive(argEventsOf(model, selection), () => {
          if (this.tab === 'details' && sameSelection(this.timeline?.selection, selection)) this.renderPanel();
        });
        body.append(renderDetails(model, selection, actions, waiting ? 'Loading the arguments from the file…' : undefined));
        break;
      }
      case 'requests': {
        const spans = slowestRequestSpans(model);
        const waiting = this.whenArgsArrive(spanArgEvents(model, spans), () => {
          if (this.tab === 'requests') this.renderPanel();
        });
        body.append(waiting ? h('p', { class: 'nfr-empty nfr-args-loading', role: 'status' }, 'Loading the details of the slowest requests…') : renderRequests(model, actions, spans));
        break;
      }
      case 'loop':
        body.append(renderLoopBlocks(model, actions));
        break;
      case 'gc':
        body.append(renderGc(model, actions));
        break;
      case 'errors':
        body.append(renderErrors(model, actions));
        break;
      case 'cpu':
        body.append(renderHotFunctions(model, actions));
        break;
      case 'selection':
        body.append(renderSelection(model, this.timeline.box, actions));
        break;
    }
    body.scrollTop = 0;
  }

  /**
   * On the summary path some args stay on the host until looked at. When any of `events` lack
   * theirs, fetches them and calls `again` (which re-renders if the view still wants them) and
   * answers true: the caller shows a loading note meanwhile. A failure replaces the note.
   */
  private whenArgsArrive(events: readonly number[], again: () => void): boolean {
    const loader = this.model?.argsLoader;
    if (!loader || events.length === 0 || !loader.missing(events)) return false;
    loader.load(events).then(again, (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      for (const note of this.root.querySelectorAll('.nfr-args-loading')) note.textContent = `Could not load the arguments: ${message}`;
      this.host.post({ type: 'error', message: `loading event arguments: ${message}` });
    });
    return true;
  }

  private onSelect(selection: Selection | undefined, reveal: boolean): void {
    const timeline = this.timeline;
    if (!timeline) return;
    const changed = !sameSelection(selection, timeline.selection);
    timeline.selection = selection;
    if (selection && reveal) timeline.reveal(selection);
    timeline.requestDraw();
    if (selection && (changed || this.tab === 'details')) {
      this.tab = 'details';
      this.renderPanel();
    } else if (!selection && this.tab === 'details') this.renderPanel();
    this.saveStateSoon();
  }

  private onBox(box: BoxSelection | undefined): void {
    if (box) this.tab = 'selection';
    this.renderPanel();
  }

  private runSearch(query: string): void {
    const model = this.model;
    const timeline = this.timeline;
    if (!model || !timeline) return;
    this.showSearchResult(search(model, query));
    // On the summary path the host searches the args still in the file; its answer refines
    // the result if the query is still the same when it arrives.
    const searchArgs = model.argsLoader?.searchArgs;
    if (!searchArgs || !this.searchResult) return;
    this.searchPending = query;
    this.updateSearchCount();
    searchArgs(searchNeedle(query)).then(
      (indices) => {
        if (this.searchPending !== query || this.model !== model) return;
        this.searchPending = undefined;
        this.showSearchResult(search(model, query, new Set(indices)));
      },
      (error: unknown) => {
        if (this.searchPending !== query) return;
        this.searchPending = undefined;
        this.updateSearchCount();
        this.host.post({ type: 'error', message: `searching the file: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  }

  private showSearchResult(result: SearchResult | undefined): void {
    this.searchResult = result;
    this.searchPending = undefined;
    this.searchCursor = -1;
    if (this.timeline) {
      this.timeline.searchResult = result;
      this.timeline.requestDraw();
    }
    this.updateSearchCount();
    this.saveStateSoon();
  }

  private updateSearchCount(): void {
    const count = this.searchCount;
    if (!count) return;
    const result = this.searchResult;
    const total = result ? result.spans.length + result.instants.length : 0;
    const more = this.searchPending !== undefined ? ' (searching the file…)' : '';
    count.textContent = result ? (total === 0 && !more ? 'no match' : `${formatCount(total)} found${more}`) : '';
    count.classList.toggle('nfr-search-none', !!result && total === 0 && !more);
  }

  private stepSearch(direction: number): void {
    const result = this.searchResult;
    const model = this.model;
    if (!result || !model) return;
    const total = result.spans.length + result.instants.length;
    if (total === 0) return;
    this.searchCursor = (this.searchCursor + direction + total) % total;
    const k = this.searchCursor;
    const selection: Selection = k < result.spans.length
      ? { kind: 'span', span: result.spans[k]! }
      : { kind: 'instant', event: result.instants[k - result.spans.length]!, track: this.trackOfInstant(result.instants[k - result.spans.length]!) };
    if (this.searchCount) this.searchCount.textContent = `${formatCount(k + 1)} / ${formatCount(total)}`;
    this.onSelect(selection, true);
  }

  private trackOfInstant(event: number): number {
    for (const track of this.model?.tracks ?? []) {
      if (track.kind !== 'instants') continue;
      for (let i = 0; i < track.count; i++) if (track.ref[i] === event) return track.index;
    }
    return -1;
  }

  private selectNear(ts: number, pid: number | undefined, tid: number | undefined): void {
    const model = this.model;
    if (!model) return;
    let best = -1;
    let bestScore = Infinity;
    for (let k = 0; k < model.spans.count; k++) {
      const index = model.spans.event[k]!;
      if (pid !== undefined && model.fields.pid(index) !== pid) continue;
      if (tid !== undefined && model.fields.tid(index) !== tid) continue;
      const s = model.spans.startUs[k]!;
      const e = model.spans.endUs[k]!;
      const distance = ts < s ? s - ts : ts > e ? ts - e : 0;
      const score = distance * 1000 + (e - s) / 1e6 - model.spans.row[k]! * 1e-3;
      if (score < bestScore) {
        bestScore = score;
        best = k;
      }
    }
    if (best >= 0) this.onSelect({ kind: 'span', span: best }, true);
    else this.timeline?.setRange(ts - 500_000, ts + 500_000);
  }

  private showTooltip(selection: Selection | undefined, clientX: number, clientY: number): void {
    const tip = this.tooltip;
    const model = this.model;
    this.hovered = selection;
    if (!selection || !model) {
      tip.hidden = true;
      return;
    }
    clear(tip);
    const line = (label: string, value: string) => tip.append(h('div', { class: 'nfr-tip-line' }, h('span', { class: 'nfr-tip-key' }, label), h('span', {}, value)));
    switch (selection.kind) {
      case 'span': {
        const event = spanEvent(model, selection.span);
        const args = spanArgs(model, selection.span);
        const loading = this.whenArgsArrive(spanArgEvents(model, [selection.span]), () => {
          if (!tip.hidden && sameSelection(this.hovered, selection)) this.showTooltip(selection, clientX, clientY);
        });
        const s = model.spans.startUs[selection.span]!;
        const e = model.spans.endUs[selection.span]!;
        tip.append(h('div', { class: 'nfr-tip-title' }, event.name || '(unnamed)'));
        line('duration', formatDuration(e - s));
        line('start', formatOffset(s - model.originUs));
        if (typeof args.status === 'number') line('status', String(args.status));
        if (typeof args.error === 'string') line('error', args.error);
        if (typeof args.route === 'string') line('route', args.route);
        if (loading) line('details', 'loading…');
        line('category', event.cat ?? '');
        break;
      }
      case 'instant': {
        const event = model.events[selection.event]!;
        tip.append(h('div', { class: 'nfr-tip-title' }, event.name || '(unnamed)'));
        const message = messageOf(event.args);
        if (message) tip.append(h('div', { class: 'nfr-tip-message' }, message.slice(0, 300)));
        line('time', formatOffset(event.ts - model.originUs));
        line('category', event.cat ?? '');
        break;
      }
      case 'flame': {
        const track = model.tracks[selection.track];
        if (!track || track.kind !== 'flame') return;
        const row = track.rows[selection.row]!;
        const frame = track.cpu.frames[track.cpu.nodeFrame[row.ref[selection.item]!]!]!;
        tip.append(h('div', { class: 'nfr-tip-title' }, frameLabel(frame)));
        line('duration', formatDuration(row.endUs[selection.item]! - row.startUs[selection.item]!));
        if (frame.url) line('at', `${frame.url.replace(/^file:\/\//, '')}:${frame.lineNumber}`);
        break;
      }
      case 'counter': {
        const track = model.tracks[selection.track] as CounterTrack;
        tip.append(h('div', { class: 'nfr-tip-title' }, track.name));
        line('time', formatOffset(track.series[0]!.ts[selection.sample]! - model.originUs));
        for (const series of track.series) line(series.label, formatValue(series.values[selection.sample]!, series.unit));
        break;
      }
    }
    tip.hidden = false;
    const { innerWidth, innerHeight } = window;
    const rect = tip.getBoundingClientRect();
    let x = clientX + 14;
    let y = clientY + 16;
    if (x + rect.width > innerWidth - 4) x = clientX - rect.width - 12;
    if (y + rect.height > innerHeight - 4) y = clientY - rect.height - 12;
    tip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
  }

  private updateRange(): void {
    const label = this.rangeLabel;
    const timeline = this.timeline;
    const model = this.model;
    if (!label || !timeline || !model) return;
    const { startUs, endUs } = timeline.viewport;
    label.textContent = `${formatOffset(startUs - model.originUs)} … ${formatOffset(endUs - model.originUs)}  (${formatDuration(endUs - startUs)})`;
    label.dataset.startUs = String(Math.round(startUs));
    label.dataset.endUs = String(Math.round(endUs));
  }

  private installKeyboard(canvas: HTMLCanvasElement): void {
    document.addEventListener('keydown', (event) => {
      const timeline = this.timeline;
      if (!timeline) return;
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
      if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
      // Letters work from anywhere but text fields; arrows only on the timeline (tables use them).
      const onTimeline = /^[wasdfcWASDFC0]$/.test(event.key) || target === canvas || target === document.body || target === null;
      let handled = true;
      switch (event.key) {
        case '/':
          this.searchInput?.focus();
          break;
        case 'w': case 'W':
          if (!onTimeline) return;
          timeline.zoom(event.shiftKey ? 0.5 : 0.8);
          break;
        case 's': case 'S':
          if (!onTimeline) return;
          timeline.zoom(event.shiftKey ? 2 : 1.25);
          break;
        case 'a': case 'A': case 'ArrowLeft':
          if (!onTimeline) return;
          timeline.pan(event.shiftKey ? -0.5 : -0.15);
          break;
        case 'd': case 'D': case 'ArrowRight':
          if (!onTimeline) return;
          timeline.pan(event.shiftKey ? 0.5 : 0.15);
          break;
        case 'ArrowUp':
          if (!onTimeline) return;
          timeline.scrollBy(-60);
          break;
        case 'ArrowDown':
          if (!onTimeline) return;
          timeline.scrollBy(60);
          break;
        case '0':
          if (!onTimeline) return;
          timeline.fit();
          break;
        case 'f': case 'F':
          if (!onTimeline) return;
          timeline.zoomToSelection();
          break;
        case 'c': case 'C': {
          // Collapse or expand the track of the selection (keyboard twin of clicking its name).
          if (!onTimeline || !timeline.selection) return;
          const track = timeline.trackOf(timeline.selection);
          if (track) timeline.toggleCollapsed(track.id);
          break;
        }
        case 'Escape':
          timeline.box = undefined;
          this.onSelect(undefined, false);
          break;
        case '?':
          this.toggleHelp();
          break;
        default:
          handled = false;
      }
      if (handled) event.preventDefault();
    });
  }

  private toggleHelp(): void {
    const existing = document.querySelector('.nfr-help');
    if (existing) {
      existing.remove();
      return;
    }
    const rows: [string, string][] = [
      ['W / S, Ctrl + wheel, pinch', 'zoom in / out at the cursor'],
      ['A / D, ← / →, drag, Shift + wheel', 'pan'],
      ['↑ / ↓, wheel', 'scroll tracks'],
      ['0', 'fit the whole window'],
      ['F, double-click', 'zoom to the selection'],
      ['Shift + drag, drag on the axis', 'select a range: totals in the Range tab'],
      ['click a track name, C', 'collapse / expand (C: the selected item\'s track)'],
      ['/', 'search; Enter for the next match'],
      ['Esc', 'clear the selection'],
    ];
    const table = h('table', {});
    for (const [keys, what] of rows) table.append(h('tr', {}, h('th', {}, keys), h('td', {}, what)));
    const close = h('button', { class: 'nfr-button', type: 'button' }, 'Close');
    const dialog = h('div', { class: 'nfr-help', role: 'dialog', 'aria-label': 'Keyboard and mouse' }, h('h2', {}, 'Navigating the timeline'), table, close);
    close.addEventListener('click', () => dialog.remove());
    document.body.append(dialog);
    close.focus();
  }

  private installSplitter(splitter: HTMLElement, panel: HTMLElement): void {
    let dragging: { y: number; height: number } | undefined;
    splitter.addEventListener('mousedown', (event) => {
      dragging = { y: event.clientY, height: panel.getBoundingClientRect().height };
      event.preventDefault();
    });
    window.addEventListener('mousemove', (event) => {
      if (!dragging) return;
      const height = Math.min(window.innerHeight - 160, Math.max(80, dragging.height - (event.clientY - dragging.y)));
      panel.style.flexBasis = `${height}px`;
    });
    window.addEventListener('mouseup', () => (dragging = undefined));
    splitter.addEventListener('keydown', (event) => {
      const height = panel.getBoundingClientRect().height;
      if (event.key === 'ArrowUp') panel.style.flexBasis = `${Math.min(window.innerHeight - 160, height + 30)}px`;
      else if (event.key === 'ArrowDown') panel.style.flexBasis = `${Math.max(80, height - 30)}px`;
    });
  }

  private saveStateSoon(): void {
    window.clearTimeout(this.stateTimer);
    this.stateTimer = window.setTimeout(() => {
      const timeline = this.timeline;
      const model = this.model;
      if (!timeline || !model) return;
      const selection = timeline.selection;
      const state: ViewerState = {
        viewStartTs: timeline.viewport.startUs,
        viewEndTs: timeline.viewport.endUs,
        scrollTopPx: timeline.scrollTopPx,
        collapsedTracks: [...timeline.collapsed],
        filter: this.searchResult?.query ?? '',
        tab: this.tab,
      };
      if (selection?.kind === 'span') state.selectedEvent = model.spans.event[selection.span]!;
      else if (selection?.kind === 'instant') state.selectedEvent = selection.event;
      this.host.saveState(state);
    }, 300);
  }

  private restore(state: ViewerState): void {
    const timeline = this.timeline;
    const model = this.model;
    if (!timeline || !model) return;
    if (Array.isArray(state.collapsedTracks)) for (const key of state.collapsedTracks) if (typeof key === 'string') timeline.collapsed.add(key);
    timeline.relayout();
    if (typeof state.viewStartTs === 'number' && typeof state.viewEndTs === 'number' && state.viewEndTs > state.viewStartTs) timeline.setRange(state.viewStartTs, state.viewEndTs);
    if (typeof state.scrollTopPx === 'number') timeline.scrollBy(state.scrollTopPx - timeline.scrollTopPx);
    if (typeof state.filter === 'string' && state.filter) {
      if (this.searchInput) this.searchInput.value = state.filter;
      this.runSearch(state.filter);
    }
    if (typeof state.tab === 'string' && TABS.some((t) => t.id === state.tab)) this.tab = state.tab as TabId;
    if (typeof state.selectedEvent === 'number') {
      for (let k = 0; k < model.spans.count; k++) {
        if (model.spans.event[k] === state.selectedEvent) {
          timeline.selection = { kind: 'span', span: k };
          break;
        }
      }
      if (!timeline.selection) {
        const track = this.trackOfInstant(state.selectedEvent);
        if (track >= 0) timeline.selection = { kind: 'instant', event: state.selectedEvent, track };
      }
    }
  }

  private showToast(title: string, detail: string): void {
    clear(this.toast);
    this.toast.append(h('strong', {}, title), h('span', {}, detail));
    this.toast.hidden = false;
    window.clearTimeout(Number(this.toast.dataset.timer ?? 0));
    this.toast.dataset.timer = String(window.setTimeout(() => (this.toast.hidden = true), 5000));
  }

  /** A small, read-only handle for tests and the benchmark (no trace data becomes code). */
  private exposeAutomation(timeline: Timeline): void {
    (window as unknown as { flightRecorderViewer: unknown }).flightRecorderViewer = {
      visibleRange: () => ({ startUs: timeline.viewport.startUs, endUs: timeline.viewport.endUs }),
      findSpanPoint: (text: string) => timeline.findSpanPoint(text),
      drawnLabels: () => timeline.drawnLabels(),
      drawTimesMs: () => timeline.drawTimesMs.slice(),
      firstFrameAtMs: () => timeline.firstFrameAtMs,
      trackCount: () => this.model?.tracks.length ?? 0,
      /** Load phases: ms since navigation start when the text arrived, was parsed, modelled. */
      loadMarks: () => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('nfr-')).map((m) => [m.name, Math.round(m.startTime)])),
    };
  }
}
