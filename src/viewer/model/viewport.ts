// The visible time range and how zoom and pan change it. Pure; the canvas converts with it.

export class Viewport {
  constructor(
    public startUs: number,
    public endUs: number,
    /** The whole trace, which the view may not leave by more than a margin. */
    public minUs: number,
    public maxUs: number,
  ) {}

  get spanUs(): number {
    return this.endUs - this.startUs;
  }

  /** px → µs for a content area `widthPx` wide. */
  timeAt(xPx: number, widthPx: number): number {
    return this.startUs + (xPx / widthPx) * this.spanUs;
  }

  xOf(timeUs: number, widthPx: number): number {
    return ((timeUs - this.startUs) / this.spanUs) * widthPx;
  }

  /** Zooms by `factor` (< 1 in, > 1 out) keeping the time under `anchorPx` fixed. */
  zoomAt(factor: number, anchorPx: number, widthPx: number): void {
    const anchor = this.timeAt(anchorPx, widthPx);
    const span = this.clampSpan(this.spanUs * factor);
    const ratio = widthPx > 0 ? anchorPx / widthPx : 0.5;
    this.set(anchor - span * ratio, anchor - span * ratio + span);
  }

  panPx(dxPx: number, widthPx: number): void {
    const dt = (dxPx / widthPx) * this.spanUs;
    this.set(this.startUs + dt, this.endUs + dt);
  }

  fit(): void {
    const margin = (this.maxUs - this.minUs) * 0.02;
    this.startUs = this.minUs - margin;
    this.endUs = this.maxUs + margin;
  }

  /** Shows [startUs, endUs] with some room either side. */
  reveal(startUs: number, endUs: number, paddingRatio = 0.25): void {
    const span = this.clampSpan(Math.max(endUs - startUs, 1) * (1 + 2 * paddingRatio));
    const center = (startUs + endUs) / 2;
    this.set(center - span / 2, center + span / 2);
  }

  set(startUs: number, endUs: number): void {
    const span = this.clampSpan(endUs - startUs);
    const total = this.maxUs - this.minUs;
    const margin = Math.max(total * 0.5, span * 0.5);
    let start = startUs;
    if (start < this.minUs - margin) start = this.minUs - margin;
    if (start + span > this.maxUs + margin) start = this.maxUs + margin - span;
    this.startUs = start;
    this.endUs = start + span;
  }

  private clampSpan(spanUs: number): number {
    const total = Math.max(this.maxUs - this.minUs, 1);
    return Math.min(Math.max(spanUs, 1), total * 4);
  }
}
