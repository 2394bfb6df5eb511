// The canvas timeline: overview strip, time axis, track gutter and tracks, drawn on one canvas.
// No DOM node per event. Each frame: cull every row to the visible range (binary search),
// merge sub-pixel items, batch rectangles by fill colour, then draw labels, markers and
// overlays. Redraws are coalesced through requestAnimationFrame.
import { FAMILIES, SHADES, colorIndex } from '../model/colors';
import { frameLabel } from '../model/cpu';
import { itemAt, lowerBound, upperBound, visibleRange, type PackedRow } from '../model/layout';
import { rowCountOf, type CounterTrack, type InstantTrack, type TimelineModel, type Track } from '../model/model';
import { buildOverview, OVERVIEW_BINS, type OverviewData } from '../model/overview';
import { SpanLabels } from '../model/span-label';
import type { SearchResult } from '../model/search';
import { formatOffset, tickStep, ticks } from '../model/time';
import { itemAtY, layoutTracks, TRACK_PAD_PX, type LayoutItem } from '../model/track-layout';
import { Viewport } from '../model/viewport';
import type { Theme } from './theme';

export const GUTTER_PX = 210;
export const OVERVIEW_PX = 38;
export const AXIS_PX = 24;
export const HEADER_PX = OVERVIEW_PX + AXIS_PX;
const SCROLLBAR_PX = 8;

export type Selection =
  | { kind: 'span'; span: number }
  | { kind: 'instant'; event: number; track: number }
  | { kind: 'flame'; track: number; row: number; item: number }
  | { kind: 'counter'; track: number; sample: number };

export interface BoxSelection {
  startUs: number;
  endUs: number;
  tracks: number[];
}

export interface TimelineCallbacks {
  select(selection: Selection | undefined, source: 'click' | 'keyboard'): void;
  boxSelect(box: BoxSelection | undefined): void;
  hover(selection: Selection | undefined, clientX: number, clientY: number): void;
  viewChanged(): void;
  layoutChanged(): void;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class Timeline {
  readonly viewport: Viewport;
  readonly collapsed = new Set<string>();
  readonly hiddenCategories = new Set<string>();
  scrollTopPx = 0;
  selection: Selection | undefined;
  box: BoxSelection | undefined;
  searchResult: SearchResult | undefined;
  /** An extra marker (e.g. "how did I get here": the moment the host asked about). */
  mark: { ts: number; label: string } | undefined;
  /** Draw durations, ms (the benchmark reads them). */
  readonly drawTimesMs: number[] = [];
  firstFrameAtMs = 0;

  private readonly context: CanvasRenderingContext2D;
  private widthPx = 0;
  private heightPx = 0;
  private items: LayoutItem[] = [];
  private contentHeightPx = 0;
  private frameRequested = false;
  private hovered: Selection | undefined;
  private readonly overview: OverviewData;
  private charWidthPx = 7;
  private drag: { mode: 'pan' | 'box' | 'overview' | 'axis' | 'scroll'; x0: number; y0: number; x: number; y: number; moved: boolean; startUs: number; scroll0: number } | undefined;
  private mouse: { x: number; y: number } | undefined;
  // Reused per frame: rectangles per colour bucket (x, y, w, h quadruples).
  private readonly buckets: number[][] = [];
  private readonly labels: { x: number; y: number; w: number; text: string; color: number }[] = [];
  /** What each span says on the canvas (its name, or where a block was). */
  private readonly spanLabels: SpanLabels;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly model: TimelineModel,
    private theme: Theme,
    private readonly callbacks: TimelineCallbacks,
  ) {
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('This browser cannot draw on a canvas (2D context unavailable).');
    this.context = context;
    this.viewport = new Viewport(model.startUs, model.endUs, model.startUs, model.endUs);
    this.viewport.fit();
    this.overview = buildOverview(model);
    this.spanLabels = new SpanLabels(model.fields);
    for (let i = 0; i < FAMILIES.length * SHADES * 2; i++) this.buckets.push([]);
    this.relayout();
    this.installInput();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.requestDraw();
  }

  resize(widthPx: number, heightPx: number): void {
    const dpr = window.devicePixelRatio || 1;
    this.widthPx = Math.max(1, widthPx);
    this.heightPx = Math.max(1, heightPx);
    this.canvas.width = Math.round(this.widthPx * dpr);
    this.canvas.height = Math.round(this.heightPx * dpr);
    this.canvas.style.width = `${this.widthPx}px`;
    this.canvas.style.height = `${this.heightPx}px`;
    this.clampScroll();
    this.draw();
  }

  relayout(): void {
    const { items, heightPx } = layoutTracks(this.model, this.collapsed, this.hiddenCategories);
    this.items = items;
    this.contentHeightPx = heightPx;
    this.clampScroll();
    this.requestDraw();
  }

  get contentWidthPx(): number {
    return Math.max(1, this.widthPx - GUTTER_PX - SCROLLBAR_PX);
  }

  get bodyHeightPx(): number {
    return Math.max(1, this.heightPx - HEADER_PX);
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  toggleCollapsed(key: string): void {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.relayout();
    this.callbacks.layoutChanged();
  }

  // ---- navigation -------------------------------------------------------------------------

  zoom(factor: number, anchorPx?: number): void {
    const anchor = anchorPx ?? (this.mouse && this.mouse.x > GUTTER_PX ? this.mouse.x - GUTTER_PX : this.contentWidthPx / 2);
    this.viewport.zoomAt(factor, anchor, this.contentWidthPx);
    this.viewChanged();
  }

  pan(fraction: number): void {
    this.viewport.panPx(fraction * this.contentWidthPx, this.contentWidthPx);
    this.viewChanged();
  }

  scrollBy(dyPx: number): void {
    this.scrollTopPx += dyPx;
    this.clampScroll();
    this.viewChanged();
  }

  fit(): void {
    this.viewport.fit();
    this.viewChanged();
  }

  setRange(startUs: number, endUs: number): void {
    this.viewport.set(startUs, endUs);
    this.viewChanged();
  }

  /** Brings a selection into view: zooms to it when it is tiny or off screen, scrolls to its track. */
  reveal(selection: Selection): void {
    const range = this.selectionRange(selection);
    if (range) {
      const [s, e] = range;
      const offScreen = e < this.viewport.startUs || s > this.viewport.endUs;
      if (e > s) this.viewport.reveal(s, e, 0.3);
      else if (offScreen) this.viewport.reveal(s - this.viewport.spanUs / 2, s + this.viewport.spanUs / 2, 0);
    }
    const y = this.selectionY(selection, true);
    if (y !== undefined) {
      const body = this.bodyHeightPx;
      if (y.top < this.scrollTopPx || y.bottom > this.scrollTopPx + body) this.scrollTopPx = y.top - body / 3;
      this.clampScroll();
    }
    this.viewChanged();
  }

  private viewChanged(): void {
    this.requestDraw();
    this.callbacks.viewChanged();
  }

  private clampScroll(): void {
    const max = Math.max(0, this.contentHeightPx - this.bodyHeightPx + 8);
    this.scrollTopPx = Math.min(Math.max(0, this.scrollTopPx), max);
  }

  selectionRange(selection: Selection): [number, number] | undefined {
    switch (selection.kind) {
      case 'span':
        return [this.model.spans.startUs[selection.span]!, this.model.spans.endUs[selection.span]!];
      case 'instant': {
        const ts = this.model.events[selection.event]!.ts;
        return [ts, ts];
      }
      case 'flame': {
        const track = this.model.tracks[selection.track];
        if (!track || track.kind !== 'flame') return undefined;
        const row = track.rows[selection.row]!;
        return [row.startUs[selection.item]!, row.endUs[selection.item]!];
      }
      case 'counter': {
        const track = this.model.tracks[selection.track] as CounterTrack;
        const ts = track.series[0]!.ts[selection.sample]!;
        return [ts, ts];
      }
    }
  }

  trackOf(selection: Selection): Track | undefined {
    const index = selection.kind === 'span' ? this.model.spans.track[selection.span]! : selection.track;
    return this.model.tracks[index];
  }

  /** Content y of a selection (its row), optionally expanding collapsed groups to show it. */
  private selectionY(selection: Selection, expand: boolean): { top: number; bottom: number } | undefined {
    let trackIndex: number;
    let row = 0;
    if (selection.kind === 'span') {
      trackIndex = this.model.spans.track[selection.span]!;
      row = this.model.spans.row[selection.span]!;
    } else if (selection.kind === 'flame') {
      trackIndex = selection.track;
      row = selection.row;
    } else trackIndex = selection.track;
    const track = this.model.tracks[trackIndex];
    if (!track) return undefined;
    if (expand) {
      let changed = false;
      for (const key of [`p${track.pid}`, `${track.pid}:${track.tid}`, row > 0 ? track.id : '']) {
        if (key && this.collapsed.delete(key)) changed = true;
      }
      if (this.hiddenCategories.delete(track.filter)) changed = true;
      if (changed) {
        this.relayout();
        this.callbacks.layoutChanged();
      }
    }
    const item = this.items.find((i) => i.track === track);
    if (!item) return undefined;
    if (item.rowPx === 0) return { top: item.y, bottom: item.y + item.height };
    if (row >= item.rowsShown) return { top: item.y, bottom: item.y + item.height };
    const top = item.y + TRACK_PAD_PX + row * item.rowPx;
    return { top, bottom: top + item.rowPx };
  }

  // ---- drawing ----------------------------------------------------------------------------

  draw(): void {
    if (this.widthPx <= 1) return;
    const started = performance.now();
    const ctx = this.context;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const theme = this.theme;
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, this.widthPx, this.heightPx);
    ctx.font = `12px ${theme.fontFamily}`;
    this.charWidthPx = ctx.measureText('abcdefghijklmnopqrstuvwxyz0123456789/').width / 37;
    ctx.textBaseline = 'middle';

    const step = tickStep(this.viewport.spanUs, this.contentWidthPx, 110);
    const tickList = ticks(this.viewport.startUs, this.viewport.endUs, this.model.originUs, step);
    this.drawBody(ctx, tickList);
    this.drawHeader(ctx, tickList, step);
    this.drawScrollbar(ctx);

    const elapsed = performance.now() - started;
    this.drawTimesMs.push(elapsed);
    if (this.drawTimesMs.length > 2000) this.drawTimesMs.splice(0, 1000);
    if (this.firstFrameAtMs === 0) this.firstFrameAtMs = performance.now();
  }

  private xOf(ts: number): number {
    return GUTTER_PX + this.viewport.xOf(ts, this.contentWidthPx);
  }

  private drawBody(ctx: CanvasRenderingContext2D, tickList: number[]): void {
    const theme = this.theme;
    const top = HEADER_PX;
    const bodyBottom = this.heightPx;
    const scroll = this.scrollTopPx;
    const contentLeft = GUTTER_PX;
    const contentRight = GUTTER_PX + this.contentWidthPx;

    ctx.save();
    ctx.beginPath();
    ctx.rect(0, top, this.widthPx, bodyBottom - top);
    ctx.clip();

    // Backgrounds.
    const visible: LayoutItem[] = [];
    for (const item of this.items) {
      const y = top + item.y - scroll;
      if (y + item.height < top || y > bodyBottom) continue;
      visible.push(item);
      if (item.kind === 'process') {
        ctx.fillStyle = theme.headerBackground;
        ctx.fillRect(0, y, this.widthPx, item.height);
      } else if (item.kind === 'thread') {
        ctx.fillStyle = theme.faint;
        ctx.fillRect(0, y, this.widthPx, item.height);
      } else if (item.stripe) {
        ctx.fillStyle = theme.trackAlt;
        ctx.fillRect(contentLeft, y, contentRight - contentLeft, item.height);
      }
    }
    // Grid lines.
    ctx.fillStyle = theme.faint;
    for (const t of tickList) ctx.fillRect(Math.round(this.xOf(t)), top, 1, bodyBottom - top);

    // Tracks, clipped to the content area.
    ctx.save();
    ctx.beginPath();
    ctx.rect(contentLeft, top, contentRight - contentLeft, bodyBottom - top);
    ctx.clip();
    for (const bucket of this.buckets) bucket.length = 0;
    this.labels.length = 0;
    for (const item of visible) {
      if (item.kind !== 'track' || !item.track) continue;
      const y = top + item.y - scroll;
      const track = item.track;
      if (track.kind === 'slices' || track.kind === 'flame') this.collectRows(track, item, y, top, bodyBottom);
      else if (track.kind === 'instants') this.drawInstants(ctx, track, y, item.height);
      else this.drawCounter(ctx, track, y, item.height, item.collapsed);
    }
    this.flushBuckets(ctx);
    this.drawLabels(ctx);
    this.drawBoxSelection(ctx, top, bodyBottom);
    this.drawSelectionOutline(ctx, this.hovered, theme.hover, 1);
    this.drawSelectionOutline(ctx, this.selection, theme.selection, 2);
    this.drawFlows(ctx);
    this.drawTimeMarkers(ctx, top, bodyBottom);
    if (this.drag?.mode === 'box' && this.drag.moved) {
      const x0 = Math.min(this.drag.x0, this.drag.x);
      const y0 = Math.min(this.drag.y0, this.drag.y);
      ctx.fillStyle = theme.selectionFill;
      ctx.fillRect(x0, y0, Math.abs(this.drag.x - this.drag.x0), Math.abs(this.drag.y - this.drag.y0));
      ctx.strokeStyle = theme.accent;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + 0.5, y0 + 0.5, Math.abs(this.drag.x - this.drag.x0), Math.abs(this.drag.y - this.drag.y0));
    }
    ctx.restore();

    // Gutter on top of everything to its left.
    ctx.fillStyle = theme.gutterBackground;
    ctx.fillRect(0, top, GUTTER_PX, bodyBottom - top);
    for (const item of visible) this.drawGutterItem(ctx, item, top + item.y - scroll);
    ctx.fillStyle = theme.border;
    ctx.fillRect(GUTTER_PX - 1, top, 1, bodyBottom - top);
    if (this.items.length === 0) {
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'center';
      ctx.fillText('No tracks to show (all categories filtered out?)', contentLeft + (contentRight - contentLeft) / 2, top + 40);
      ctx.textAlign = 'left';
    }
    ctx.restore();
  }

  private collectRows(track: Track & { rows: PackedRow[] }, item: LayoutItem, y: number, top: number, bottom: number): void {
    const t0 = this.viewport.startUs;
    const t1 = this.viewport.endUs;
    const width = this.contentWidthPx;
    const scale = width / this.viewport.spanUs;
    const rowPx = item.rowPx;
    const search = this.searchResult;
    const isFlame = track.kind === 'flame';
    const flameMatch = isFlame && search ? this.flameMatcher(track) : undefined;
    for (let r = 0; r < item.rowsShown; r++) {
      const rowY = y + TRACK_PAD_PX + r * rowPx;
      if (rowY + rowPx < top || rowY > bottom) continue;
      const row = track.rows[r]!;
      const [first, last] = visibleRange(row, t0, t1);
      let pendingX0 = 0;
      let pendingX1 = -10;
      let pendingColor = -1;
      const h = rowPx - 2;
      for (let i = first; i < last; i++) {
        let x0 = (row.startUs[i]! - t0) * scale;
        let x1 = (row.endUs[i]! - t0) * scale;
        if (x0 < -2) x0 = -2;
        if (x1 > width + 2) x1 = width + 2;
        let dim = 0;
        if (search) {
          const matched = isFlame ? flameMatch!(row.ref[i]!) : search.spanMatch[row.ref[i]!] === 1;
          dim = matched ? 0 : 1;
        }
        const color = row.color[i]! * 2 + dim;
        const w = x1 - x0;
        if (w < 1.5) {
          // Sub-pixel items: merge into the pending run, then skip everything else inside this pixel.
          if (pendingColor === color && x0 <= pendingX1 + 0.75) {
            if (x1 > pendingX1) pendingX1 = Math.max(x1, pendingX0 + 1);
          } else {
            if (pendingColor >= 0) this.pushRect(pendingColor, pendingX0, rowY, pendingX1 - pendingX0, h);
            pendingColor = color;
            pendingX0 = x0;
            pendingX1 = Math.max(x1, x0 + 1);
          }
          const nextPixelUs = t0 + (Math.floor(x0) + 1) / scale;
          const next = lowerBound(row.endUs, row.count, nextPixelUs);
          if (next - 1 > i) i = Math.min(next, last) - 1;
          continue;
        }
        if (pendingColor >= 0) {
          this.pushRect(pendingColor, pendingX0, rowY, pendingX1 - pendingX0, h);
          pendingColor = -1;
        }
        const drawnW = w >= 4 ? w - 1 : w;
        this.pushRect(color, x0, rowY, drawnW, h);
        if (w > 28) {
          const text = isFlame ? frameLabel(track.cpu.frames[track.cpu.nodeFrame[row.ref[i]!]!]!) : this.spanLabels.label(this.model.spans.event[row.ref[i]!]!);
          const left = Math.max(x0, 0);
          const visibleW = Math.min(x1, width) - left;
          if (visibleW > 28) this.labels.push({ x: GUTTER_PX + left, y: rowY + h / 2, w: visibleW - 1, text, color });
        }
      }
      if (pendingColor >= 0) this.pushRect(pendingColor, pendingX0, rowY, pendingX1 - pendingX0, h);
    }
  }

  private flameMatchCache: { query: string; track: number; matches: Uint8Array } | undefined;

  private flameMatcher(track: Track & { kind: 'flame' }): (node: number) => boolean {
    const query = this.searchResult!.query.trim().toLowerCase();
    if (!this.flameMatchCache || this.flameMatchCache.query !== query || this.flameMatchCache.track !== track.index) {
      const frames = new Uint8Array(track.cpu.frames.length);
      track.cpu.frames.forEach((frame, index) => {
        frames[index] = frame.functionName.toLowerCase().includes(query) || frame.url.toLowerCase().includes(query) ? 1 : 0;
      });
      this.flameMatchCache = { query, track: track.index, matches: frames };
    }
    const matches = this.flameMatchCache.matches;
    const nodeFrame = track.cpu.nodeFrame;
    return (node) => matches[nodeFrame[node]!] === 1;
  }

  private pushRect(color: number, x: number, y: number, w: number, h: number): void {
    const bucket = this.buckets[color];
    if (bucket) bucket.push(GUTTER_PX + x, y, w, h);
  }

  private flushBuckets(ctx: CanvasRenderingContext2D): void {
    const theme = this.theme;
    for (let key = 0; key < this.buckets.length; key++) {
      const bucket = this.buckets[key]!;
      if (bucket.length === 0) continue;
      const color = key >> 1;
      ctx.fillStyle = key & 1 ? theme.paletteDim[color]! : theme.palette[color]!;
      ctx.beginPath();
      for (let i = 0; i < bucket.length; i += 4) ctx.rect(bucket[i]!, bucket[i + 1]!, bucket[i + 2]!, bucket[i + 3]!);
      ctx.fill();
    }
  }

  private drawLabels(ctx: CanvasRenderingContext2D): void {
    const theme = this.theme;
    ctx.font = `11px ${theme.fontFamily}`;
    const charW = this.charWidthPx * 0.92;
    for (const label of this.labels) {
      const maxChars = Math.floor((label.w - 8) / charW);
      if (maxChars < 2) continue;
      const text = label.text.length > maxChars ? `${label.text.slice(0, Math.max(1, maxChars - 1))}…` : label.text;
      ctx.fillStyle = label.color & 1 ? theme.muted : theme.paletteText[label.color >> 1]!;
      ctx.fillText(text, label.x + 4, label.y + 0.5);
    }
    ctx.font = `12px ${theme.fontFamily}`;
  }

  private drawInstants(ctx: CanvasRenderingContext2D, track: InstantTrack, y: number, height: number): void {
    const theme = this.theme;
    const first = lowerBound(track.ts, track.count, this.viewport.startUs - this.viewport.spanUs * 0.01);
    const last = upperBound(track.ts, track.count, this.viewport.endUs + this.viewport.spanUs * 0.01);
    const cy = y + height / 2;
    const errorColor = colorIndex('error', '');
    const byColor = new Map<number, number[]>();
    let lastX = -10;
    let lastColor = -1;
    const search = this.searchResult;
    for (let i = first; i < last; i++) {
      const x = this.xOf(track.ts[i]!);
      let color = track.color[i]!;
      if (search && search.eventMatch[track.ref[i]!] !== 1) color = -1 - color;
      if (x - lastX < 2 && color === lastColor) continue;
      lastX = x;
      lastColor = color;
      let list = byColor.get(color);
      if (!list) byColor.set(color, (list = []));
      list.push(x);
    }
    for (const [color, xs] of byColor) {
      const dim = color < 0;
      const index = dim ? -1 - color : color;
      const isError = Math.floor(index / SHADES) === Math.floor(errorColor / SHADES);
      const size = isError ? 6 : 4.5;
      ctx.fillStyle = dim ? theme.paletteDim[index]! : theme.palette[index]!;
      ctx.beginPath();
      for (const x of xs) {
        // A diamond: readable at any density, distinct from slices.
        ctx.moveTo(x, cy - size);
        ctx.lineTo(x + size, cy);
        ctx.lineTo(x, cy + size);
        ctx.lineTo(x - size, cy);
        ctx.closePath();
      }
      ctx.fill();
    }
  }

  private drawCounter(ctx: CanvasRenderingContext2D, track: CounterTrack, y: number, height: number, collapsed: boolean): void {
    const theme = this.theme;
    const family = counterFamily(track.name);
    const baseline = y + height - 3;
    const plotH = height - (collapsed ? 5 : 14);
    const max = track.maxValue > 0 ? track.maxValue : 1;
    const t0 = this.viewport.startUs;
    const t1 = this.viewport.endUs;
    const draw = (seriesIndex: number, fill: boolean) => {
      const series = track.series[seriesIndex]!;
      if (series.count === 0) return;
      let i = Math.max(0, upperBound(series.ts, series.count, t0) - 1);
      const last = Math.min(series.count, upperBound(series.ts, series.count, t1) + 1);
      ctx.beginPath();
      const startX = this.xOf(series.ts[i]!);
      ctx.moveTo(startX, baseline);
      let column = Math.floor(startX);
      let columnMax = series.values[i]!;
      let previousY = baseline - (columnMax / max) * plotH;
      ctx.lineTo(startX, previousY);
      for (i = i + 1; i < last; i++) {
        const x = this.xOf(series.ts[i]!);
        const value = series.values[i]!;
        if (Math.floor(x) === column) {
          if (value > columnMax) {
            columnMax = value;
            const yy = baseline - (columnMax / max) * plotH;
            ctx.lineTo(x, yy);
            previousY = yy;
          }
          continue;
        }
        column = Math.floor(x);
        columnMax = value;
        const yy = baseline - (value / max) * plotH;
        ctx.lineTo(x, previousY); // a counter holds its value until the next sample
        ctx.lineTo(x, yy);
        previousY = yy;
      }
      const endX = Math.min(this.xOf(series.ts[series.count - 1]!) + 0, GUTTER_PX + this.contentWidthPx + 2);
      ctx.lineTo(Math.max(endX, this.xOf(Math.min(t1, this.model.endUs))), previousY);
      if (fill) {
        ctx.save();
        ctx.globalAlpha = theme.dark ? 0.42 : 0.32;
        ctx.fillStyle = theme.palette[colorIndex(family, '') - (colorIndex(family, '') % SHADES) + 1]!;
        const path = new Path2D();
        ctx.lineTo(Math.max(endX, this.xOf(Math.min(t1, this.model.endUs))), baseline);
        ctx.closePath();
        ctx.fill();
        ctx.restore();
        void path;
      }
      ctx.strokeStyle = theme.palette[colorIndex(family, '') - (colorIndex(family, '') % SHADES) + (fill ? 1 : 3)]!;
      ctx.lineWidth = fill ? 1.25 : 1;
      ctx.setLineDash(fill ? [] : [3, 2]);
      ctx.stroke();
      ctx.setLineDash([]);
    };
    draw(track.primary, true);
    if (!collapsed) for (let s = 0; s < track.series.length; s++) if (s !== track.primary) draw(s, false);
    if (!collapsed) {
      ctx.fillStyle = theme.muted;
      ctx.font = `10px ${theme.fontFamily}`;
      const unit = track.series[track.primary]!.unit;
      ctx.fillText(formatValue(track.maxValue, unit), GUTTER_PX + 4, y + 7);
      ctx.font = `12px ${theme.fontFamily}`;
    }
  }

  private drawSelectionOutline(ctx: CanvasRenderingContext2D, selection: Selection | undefined, color: string, lineWidth: number): void {
    if (!selection) return;
    const box = this.selectionBox(selection);
    if (!box) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    if (selection.kind === 'instant' || selection.kind === 'counter') {
      ctx.beginPath();
      ctx.arc(box.x, box.y + box.h / 2, 8, 0, Math.PI * 2);
      ctx.stroke();
      return;
    }
    ctx.strokeRect(box.x - lineWidth / 2, box.y - lineWidth / 2, Math.max(box.w, 1) + lineWidth, box.h + lineWidth);
  }

  /** Canvas rectangle of a selection, when visible. */
  selectionBox(selection: Selection): Rect | undefined {
    const range = this.selectionRange(selection);
    const y = this.selectionY(selection, false);
    if (!range || !y) return undefined;
    const top = HEADER_PX + y.top - this.scrollTopPx;
    const x0 = this.xOf(range[0]);
    const x1 = this.xOf(range[1]);
    return { x: x0, y: top + 1, w: Math.max(1, x1 - x0 - 1), h: y.bottom - y.top - 2 };
  }

  private drawFlows(ctx: CanvasRenderingContext2D): void {
    const selected = this.selection?.kind === 'span' ? this.selection.span : -1;
    if (selected < 0 || this.model.flows.length === 0) return;
    ctx.strokeStyle = this.theme.accent;
    ctx.fillStyle = this.theme.accent;
    ctx.lineWidth = 1.5;
    for (const flow of this.model.flows) {
      if (flow.fromSpan !== selected && flow.toSpan !== selected) continue;
      const from = this.selectionBox({ kind: 'span', span: flow.fromSpan });
      const to = this.selectionBox({ kind: 'span', span: flow.toSpan });
      if (!from || !to) continue;
      const x0 = this.xOf(flow.fromUs);
      const y0 = from.y + from.h / 2;
      const x1 = this.xOf(flow.toUs);
      const y1 = to.y + to.h / 2;
      const bend = Math.max(20, Math.abs(x1 - x0) / 3);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.bezierCurveTo(x0 + bend, y0, x1 - bend, y1, x1, y1);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 7, y1 - 4);
      ctx.lineTo(x1 - 7, y1 + 4);
      ctx.closePath();
      ctx.fill();
    }
  }

  private drawBoxSelection(ctx: CanvasRenderingContext2D, top: number, bottom: number): void {
    if (!this.box) return;
    const x0 = this.xOf(this.box.startUs);
    const x1 = this.xOf(this.box.endUs);
    ctx.fillStyle = this.theme.selectionFill;
    ctx.fillRect(x0, top, x1 - x0, bottom - top);
    ctx.fillStyle = this.theme.accent;
    ctx.fillRect(Math.round(x0), top, 1, bottom - top);
    ctx.fillRect(Math.round(x1), top, 1, bottom - top);
  }

  private drawTimeMarkers(ctx: CanvasRenderingContext2D, top: number, bottom: number): void {
    const trigger = this.model.trigger;
    if (trigger) {
      const x = Math.round(this.xOf(trigger.ts));
      ctx.fillStyle = this.theme.trigger;
      ctx.globalAlpha = 0.9;
      ctx.fillRect(x - 1, top, 2, bottom - top);
      ctx.globalAlpha = 1;
    }
    if (this.mark) {
      const x = Math.round(this.xOf(this.mark.ts));
      ctx.strokeStyle = this.theme.accent;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, top);
      ctx.lineTo(x + 0.5, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  private drawGutterItem(ctx: CanvasRenderingContext2D, item: LayoutItem, y: number): void {
    const theme = this.theme;
    const chevron = item.collapsed ? '▸' : '▾';
    const collapsible = item.kind !== 'track' || (item.track !== undefined && item.track.kind !== 'instants' && (item.track.kind === 'counter' || ((item.track.kind === 'slices' || item.track.kind === 'flame') && rowCountOf(item.track) > 1)));
    if (item.kind === 'process') {
      ctx.fillStyle = theme.headerBackground;
      ctx.fillRect(0, y, GUTTER_PX, item.height);
      ctx.fillStyle = theme.foreground;
      ctx.font = `600 12px ${theme.fontFamily}`;
      ctx.fillText(`${chevron}  ${this.fitText(item.title, GUTTER_PX - 34)}`, 8, y + item.height / 2);
      ctx.font = `12px ${theme.fontFamily}`;
      ctx.fillStyle = theme.border;
      ctx.fillRect(0, y + item.height - 1, this.widthPx, 1);
      return;
    }
    if (item.kind === 'thread') {
      ctx.fillStyle = theme.muted;
      ctx.font = `600 11px ${theme.fontFamily}`;
      ctx.fillText(`${chevron}  ${this.fitText(item.title.toUpperCase(), GUTTER_PX - 40)}`, 14, y + item.height / 2);
      ctx.font = `12px ${theme.fontFamily}`;
      return;
    }
    const track = item.track!;
    let cy = track.kind === 'counter' || track.kind === 'instants' ? y + item.height / 2 : y + TRACK_PAD_PX + (item.rowPx - 2) / 2;
    // Tall tracks keep their name in view while scrolled through (sticky label).
    if (item.rowPx > 0 && y < HEADER_PX) cy = Math.min(HEADER_PX + 12, y + item.height - item.rowPx / 2 - TRACK_PAD_PX);
    if (collapsible) {
      ctx.fillStyle = theme.muted;
      ctx.font = `10px ${theme.fontFamily}`;
      ctx.fillText(chevron, 10, cy);
    }
    // Colour chip: what this track's items look like.
    ctx.fillStyle = theme.palette[trackChipColor(track)]!;
    ctx.fillRect(22, cy - 5, 3, 10);
    ctx.font = `11px ${theme.fontFamily}`;
    const badge = trackBadge(track);
    const badgeW = badge ? ctx.measureText(badge).width + 10 : 0;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'right';
    if (badge) ctx.fillText(badge, GUTTER_PX - 8, cy);
    ctx.textAlign = 'left';
    ctx.font = `12px ${theme.fontFamily}`;
    ctx.fillStyle = theme.foreground;
    ctx.fillText(this.fitText(item.title, GUTTER_PX - 32 - badgeW - 8), 31, cy);
    ctx.fillStyle = theme.faint;
    ctx.fillRect(0, y + item.height - 1, GUTTER_PX, 1);
  }

  /** Cuts text with an ellipsis to fit `widthPx` in the current font. */
  private fitText(text: string, widthPx: number, _unused?: number): string {
    const ctx = this.context;
    if (ctx.measureText(text).width <= widthPx) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= widthPx) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, Math.max(1, lo))}…`;
  }

  private drawHeader(ctx: CanvasRenderingContext2D, tickList: number[], step: number): void {
    const theme = this.theme;
    ctx.fillStyle = theme.headerBackground;
    ctx.fillRect(0, 0, this.widthPx, HEADER_PX);
    this.drawOverview(ctx);
    // Axis.
    const axisTop = OVERVIEW_PX;
    ctx.fillStyle = theme.border;
    ctx.fillRect(0, HEADER_PX - 1, this.widthPx, 1);
    ctx.fillRect(0, axisTop, this.widthPx, 1);
    ctx.font = `11px ${theme.fontFamily}`;
    for (const t of tickList) {
      const x = Math.round(this.xOf(t));
      if (x < GUTTER_PX) continue;
      ctx.fillStyle = theme.border;
      ctx.fillRect(x, HEADER_PX - 7, 1, 6);
      ctx.fillStyle = t === this.model.originUs ? theme.trigger : theme.muted;
      ctx.fillText(formatOffset(t - this.model.originUs, step), x + 4, axisTop + AXIS_PX / 2 - 1);
    }
    if (this.box) {
      const x0 = this.xOf(this.box.startUs);
      const x1 = this.xOf(this.box.endUs);
      ctx.fillStyle = theme.selectionFill;
      ctx.fillRect(x0, axisTop, x1 - x0, AXIS_PX);
    }
    // Trigger flag on the axis.
    const trigger = this.model.trigger;
    if (trigger) {
      const x = Math.round(this.xOf(trigger.ts));
      if (x >= GUTTER_PX && x <= this.widthPx) {
        const label = `⚑ ${trigger.label}`;
        ctx.font = `600 11px ${theme.fontFamily}`;
        const w = Math.min(ctx.measureText(label).width + 12, 240);
        // The flag hangs right of the line, or left when it would leave the canvas.
        const flip = x + w > this.widthPx - SCROLLBAR_PX;
        const left = flip ? x + 1 - w : x - 1;
        ctx.fillStyle = theme.trigger;
        ctx.beginPath();
        ctx.roundRect(left, axisTop + 3, w, AXIS_PX - 6, 3);
        ctx.fill();
        ctx.fillRect(x - 1, axisTop + 3, 2, AXIS_PX - 3);
        ctx.fillStyle = '#ffffff';
        ctx.fillText(this.fitText(label, w - 10), left + 6, axisTop + AXIS_PX / 2);
      }
    }
    // Gutter header: the visible span.
    ctx.fillStyle = theme.gutterBackground;
    ctx.fillRect(0, 0, GUTTER_PX, HEADER_PX - 1);
    ctx.fillStyle = theme.border;
    ctx.fillRect(GUTTER_PX - 1, 0, 1, HEADER_PX);
    ctx.fillStyle = theme.muted;
    ctx.font = `11px ${theme.fontFamily}`;
    ctx.fillText('overview', 12, OVERVIEW_PX / 2);
    ctx.fillText(this.model.trigger ? 'time from trigger' : 'time from start', 12, axisTop + AXIS_PX / 2);
    ctx.font = `12px ${theme.fontFamily}`;
  }

  private drawOverview(ctx: CanvasRenderingContext2D): void {
    const theme = this.theme;
    const data = this.overview;
    const left = GUTTER_PX;
    const width = this.contentWidthPx;
    const h = OVERVIEW_PX - 6;
    const top = 3;
    const full = this.model.endUs - this.model.startUs;
    const xOfFull = (ts: number) => left + ((ts - this.model.startUs) / full) * width;
    const binsPerPx = OVERVIEW_BINS / width;
    const column = (values: Float32Array, x: number) => {
      const b0 = Math.floor(x * binsPerPx);
      const b1 = Math.max(b0 + 1, Math.floor((x + 1) * binsPerPx));
      let max = 0;
      for (let b = b0; b < b1 && b < OVERVIEW_BINS; b++) max = Math.max(max, values[b]!);
      return max;
    };
    if (data.hasCpu) {
      ctx.fillStyle = theme.palette[colorIndex('cpu.user', '') - (colorIndex('cpu.user', '') % SHADES)]!;
      ctx.globalAlpha = 0.45;
      ctx.beginPath();
      ctx.moveTo(left, top + h);
      for (let x = 0; x < width; x++) ctx.lineTo(left + x, top + h - column(data.cpuBusy, x) * h);
      ctx.lineTo(left + width, top + h);
      ctx.closePath();
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.fillStyle = theme.palette[colorIndex('eventloop', '') - (colorIndex('eventloop', '') % SHADES) + 1]!;
    ctx.beginPath();
    for (let x = 0; x < width; x++) {
      const v = column(data.blocked, x);
      if (v > 0) ctx.rect(left + x, top + h - Math.max(2, v * h), 1, Math.max(2, v * h));
    }
    ctx.fill();
    ctx.fillStyle = theme.palette[colorIndex('error', '') - (colorIndex('error', '') % SHADES)]!;
    ctx.beginPath();
    for (let x = 0; x < width; x++) if (column(data.errors, x) > 0) ctx.rect(left + x - 1, top, 2, 5);
    ctx.fill();
    if (this.model.trigger) {
      ctx.fillStyle = theme.trigger;
      ctx.fillRect(Math.round(xOfFull(this.model.trigger.ts)) - 1, 0, 2, OVERVIEW_PX);
    }
    // The visible window as a brush; outside it faded.
    const bx0 = Math.max(left, xOfFull(this.viewport.startUs));
    const bx1 = Math.min(left + width, xOfFull(this.viewport.endUs));
    ctx.fillStyle = theme.dark ? 'rgba(0,0,0,0.35)' : 'rgba(255,255,255,0.55)';
    ctx.fillRect(left, 0, Math.max(0, bx0 - left), OVERVIEW_PX);
    ctx.fillRect(bx1, 0, Math.max(0, left + width - bx1), OVERVIEW_PX);
    ctx.strokeStyle = theme.accent;
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(bx0) + 0.5, 1.5, Math.max(2, Math.round(bx1 - bx0) - 1), OVERVIEW_PX - 3);
  }

  private drawScrollbar(ctx: CanvasRenderingContext2D): void {
    const body = this.bodyHeightPx;
    if (this.contentHeightPx <= body) return;
    const thumbH = Math.max(24, (body / this.contentHeightPx) * body);
    const thumbY = HEADER_PX + (this.scrollTopPx / (this.contentHeightPx - body + 8)) * (body - thumbH);
    ctx.fillStyle = this.theme.faint;
    ctx.fillRect(this.widthPx - SCROLLBAR_PX, HEADER_PX, SCROLLBAR_PX, body);
    ctx.fillStyle = this.theme.dark ? 'rgba(255,255,255,0.22)' : 'rgba(0,0,0,0.22)';
    ctx.beginPath();
    ctx.roundRect(this.widthPx - SCROLLBAR_PX + 1, thumbY, SCROLLBAR_PX - 2, thumbH, 3);
    ctx.fill();
  }

  // ---- hit testing ------------------------------------------------------------------------

  hitTest(x: number, y: number): Selection | undefined {
    if (x < GUTTER_PX || y < HEADER_PX) return undefined;
    const item = itemAtY(this.items, y - HEADER_PX + this.scrollTopPx);
    if (!item || item.kind !== 'track' || !item.track) return undefined;
    const track = item.track;
    const t = this.viewport.timeAt(x - GUTTER_PX, this.contentWidthPx);
    const usPerPx = this.viewport.spanUs / this.contentWidthPx;
    const localY = y - HEADER_PX + this.scrollTopPx - item.y;
    if (track.kind === 'slices' || track.kind === 'flame') {
      const r = Math.floor((localY - TRACK_PAD_PX) / item.rowPx);
      if (r < 0 || r >= item.rowsShown) return undefined;
      const row = track.rows[r]!;
      const index = itemAt(row, t, usPerPx * 3);
      if (index < 0) return undefined;
      if (track.kind === 'flame') return { kind: 'flame', track: track.index, row: r, item: index };
      return { kind: 'span', span: row.ref[index]! };
    }
    if (track.kind === 'instants') {
      const slack = usPerPx * 6;
      const first = lowerBound(track.ts, track.count, t - slack);
      let best = -1;
      let bestDistance = Infinity;
      for (let i = first; i < track.count && track.ts[i]! <= t + slack; i++) {
        const d = Math.abs(track.ts[i]! - t);
        if (d < bestDistance) {
          bestDistance = d;
          best = i;
        }
      }
      return best >= 0 ? { kind: 'instant', event: track.ref[best]!, track: track.index } : undefined;
    }
    const series = track.series[0]!;
    const sample = upperBound(series.ts, series.count, t) - 1;
    return sample >= 0 ? { kind: 'counter', track: track.index, sample } : undefined;
  }

  /** The span labels of the last frame drawn (for tests: the canvas's text is not in the DOM). */
  drawnLabels(): string[] {
    return this.labels.map((label) => label.text);
  }

  /** Automation hook for tests: the canvas-relative centre of a visible span whose name contains `text`. */
  findSpanPoint(text: string): { x: number; y: number } | undefined {
    for (const item of this.items) {
      if (item.kind !== 'track' || !item.track || item.track.kind !== 'slices') continue;
      for (let r = 0; r < item.rowsShown; r++) {
        const row = item.track.rows[r]!;
        const [first, last] = visibleRange(row, this.viewport.startUs, this.viewport.endUs);
        for (let i = first; i < last; i++) {
          if (!this.model.fields.name(this.model.spans.event[row.ref[i]!]!).includes(text)) continue;
          const box = this.selectionBox({ kind: 'span', span: row.ref[i]! });
          if (box && box.w >= 3 && box.y > HEADER_PX && box.y < this.heightPx - 10) {
            const x0 = Math.max(box.x, GUTTER_PX);
            const x1 = Math.min(box.x + box.w, GUTTER_PX + this.contentWidthPx);
            if (x1 - x0 >= 3) return { x: (x0 + x1) / 2, y: box.y + box.h / 2 };
          }
        }
      }
    }
    return undefined;
  }

  // ---- input ------------------------------------------------------------------------------

  private installInput(): void {
    const canvas = this.canvas;
    const position = (event: MouseEvent) => {
      const rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    canvas.addEventListener('wheel', (event) => {
      event.preventDefault();
      const { x } = position(event);
      const anchor = Math.max(0, x - GUTTER_PX);
      const scale = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.bodyHeightPx : 1;
      const dx = event.deltaX * scale;
      const dy = event.deltaY * scale;
      if (event.ctrlKey || event.metaKey) {
        this.zoom(Math.exp(dy * 0.0025), anchor);
      } else if (event.shiftKey) {
        this.viewport.panPx(dy || dx, this.contentWidthPx);
        this.viewChanged();
      } else if (Math.abs(dx) > Math.abs(dy)) {
        this.viewport.panPx(dx, this.contentWidthPx);
        this.viewChanged();
      } else if (this.contentHeightPx > this.bodyHeightPx && position(event).y > HEADER_PX) {
        this.scrollBy(dy);
      } else {
        this.zoom(Math.exp(dy * 0.0025), anchor);
      }
    }, { passive: false });

    canvas.addEventListener('mousedown', (event) => {
      if (event.button !== 0) return;
      canvas.focus();
      const { x, y } = position(event);
      let mode: NonNullable<Timeline['drag']>['mode'] = 'pan';
      if (x >= this.widthPx - SCROLLBAR_PX && y > HEADER_PX) mode = 'scroll';
      else if (y < OVERVIEW_PX && x > GUTTER_PX) mode = 'overview';
      else if (y < HEADER_PX && x > GUTTER_PX) mode = 'axis';
      else if (event.shiftKey) mode = 'box';
      this.drag = { mode, x0: x, y0: y, x, y, moved: false, startUs: this.viewport.startUs, scroll0: this.scrollTopPx };
      if (mode === 'overview') this.moveOverview(x);
      event.preventDefault();
    });
    window.addEventListener('mousemove', (event) => {
      const { x, y } = position(event);
      this.mouse = { x, y };
      const drag = this.drag;
      if (drag) {
        drag.moved ||= Math.abs(x - drag.x0) + Math.abs(y - drag.y0) > 3;
        drag.x = x;
        drag.y = y;
        if (drag.mode === 'pan' && drag.moved) {
          const usPerPx = this.viewport.spanUs / this.contentWidthPx;
          this.viewport.set(drag.startUs - (x - drag.x0) * usPerPx, drag.startUs - (x - drag.x0) * usPerPx + this.viewport.spanUs);
          this.scrollTopPx = drag.scroll0 - (y - drag.y0);
          this.clampScroll();
          this.viewChanged();
        } else if (drag.mode === 'overview') {
          this.moveOverview(x);
        } else if (drag.mode === 'scroll') {
          const body = this.bodyHeightPx;
          this.scrollTopPx = drag.scroll0 + ((y - drag.y0) / body) * this.contentHeightPx;
          this.clampScroll();
          this.viewChanged();
        } else {
          this.requestDraw();
        }
        if (drag.mode === 'axis' && drag.moved) this.updateAxisBox(drag.x0, x);
        return;
      }
      if (event.target !== canvas) {
        if (this.hovered) {
          this.hovered = undefined;
          this.callbacks.hover(undefined, 0, 0);
          this.requestDraw();
        }
        return;
      }
      const hit = this.hitTest(x, y);
      if (!sameSelection(hit, this.hovered)) {
        this.hovered = hit;
        this.requestDraw();
      }
      this.callbacks.hover(hit, event.clientX, event.clientY);
      canvas.style.cursor = x < GUTTER_PX && y > HEADER_PX ? 'pointer' : hit ? 'pointer' : y < HEADER_PX ? 'col-resize' : 'grab';
    });
    window.addEventListener('mouseup', (event) => {
      const drag = this.drag;
      if (!drag) return;
      this.drag = undefined;
      const { x, y } = position(event);
      if (drag.mode === 'box' && drag.moved) {
        this.finishBox(drag.x0, drag.y0, x, y);
        return;
      }
      if (drag.mode === 'axis') {
        if (drag.moved) this.updateAxisBox(drag.x0, x, true);
        return;
      }
      if (drag.moved || drag.mode !== 'pan') {
        this.requestDraw();
        return;
      }
      // A click.
      if (x < GUTTER_PX && y > HEADER_PX) {
        const item = itemAtY(this.items, y - HEADER_PX + this.scrollTopPx);
        if (item) this.toggleCollapsed(item.key);
        return;
      }
      const hit = this.hitTest(x, y);
      this.selection = hit;
      if (!hit && this.box) {
        this.box = undefined;
        this.callbacks.boxSelect(undefined);
      }
      this.callbacks.select(hit, 'click');
      this.requestDraw();
    });
    canvas.addEventListener('mouseleave', () => {
      if (this.hovered) {
        this.hovered = undefined;
        this.requestDraw();
      }
      this.callbacks.hover(undefined, 0, 0);
      this.mouse = undefined;
    });
    canvas.addEventListener('dblclick', (event) => {
      const { x, y } = position(event);
      const hit = this.hitTest(x, y);
      if (hit) this.zoomToSelection(hit);
    });
  }

  zoomToSelection(selection: Selection | undefined = this.selection): void {
    if (selection) {
      const range = this.selectionRange(selection);
      if (range) this.setRange(...paddedRange(range));
      return;
    }
    if (this.box) this.setRange(this.box.startUs, this.box.endUs);
  }

  private moveOverview(x: number): void {
    const full = this.model.endUs - this.model.startUs;
    const center = this.model.startUs + ((x - GUTTER_PX) / this.contentWidthPx) * full;
    const span = this.viewport.spanUs;
    this.viewport.set(center - span / 2, center + span / 2);
    this.viewChanged();
  }

  private updateAxisBox(xa: number, xb: number, done = false): void {
    const t0 = this.viewport.timeAt(Math.min(xa, xb) - GUTTER_PX, this.contentWidthPx);
    const t1 = this.viewport.timeAt(Math.max(xa, xb) - GUTTER_PX, this.contentWidthPx);
    const tracks = this.items.filter((i) => i.kind === 'track' && i.track).map((i) => i.track!.index);
    this.box = { startUs: t0, endUs: t1, tracks };
    this.requestDraw();
    if (done) this.callbacks.boxSelect(this.box);
  }

  private finishBox(xa: number, ya: number, xb: number, yb: number): void {
    const t0 = this.viewport.timeAt(Math.min(xa, xb) - GUTTER_PX, this.contentWidthPx);
    const t1 = this.viewport.timeAt(Math.max(xa, xb) - GUTTER_PX, this.contentWidthPx);
    const y0 = Math.min(ya, yb) - HEADER_PX + this.scrollTopPx;
    const y1 = Math.max(ya, yb) - HEADER_PX + this.scrollTopPx;
    const tracks = this.items.filter((i) => i.kind === 'track' && i.track && i.y + i.height > y0 && i.y < y1).map((i) => i.track!.index);
    this.box = { startUs: t0, endUs: t1, tracks };
    this.requestDraw();
    this.callbacks.boxSelect(this.box);
  }
}

function paddedRange([s, e]: [number, number]): [number, number] {
  const span = Math.max(e - s, 100);
  return [s - span * 0.15, s + span * 1.15];
}

export function sameSelection(a: Selection | undefined, b: Selection | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function counterFamily(name: string): string {
  if (/loop delay/i.test(name)) return 'eventloop';
  if (/utili[sz]ation/i.test(name)) return 'http.client';
  if (/memory|heap/i.test(name)) return 'gc';
  return 'http.server';
}

function trackChipColor(track: Track): number {
  switch (track.kind) {
    case 'counter':
      return colorIndex(counterFamily(track.name), '') - (colorIndex(counterFamily(track.name), '') % SHADES) + 1;
    case 'flame':
      return colorIndex('cpu.user', '') - (colorIndex('cpu.user', '') % SHADES);
    case 'instants':
      return track.title === 'Console & errors' ? colorIndex('error', '') - (colorIndex('error', '') % SHADES) : colorIndex('user', '');
    default: {
      const row = track.rows[0];
      return row && row.count > 0 ? row.color[0]! - (row.color[0]! % SHADES) + 1 : 0;
    }
  }
}

function trackBadge(track: Track): string {
  switch (track.kind) {
    case 'counter':
      return '';
    case 'instants':
      return String(track.count);
    case 'flame':
      return track.cpu.sampleCount >= 10_000 ? `${Math.round(track.cpu.sampleCount / 1000)}k samples` : `${track.cpu.sampleCount} samples`;
    default: {
      let count = 0;
      for (const row of track.rows) count += row.count;
      return String(count);
    }
  }
}

export function formatValue(value: number, unit: string): string {
  if (unit === '%') return `${(value * (value <= 1 ? 100 : 1)).toFixed(0)} %`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}
