// Time arithmetic and formatting for the axis, tooltips and tables. All inputs in µs.

/** "312 ms", "1.25 s", "85 µs": three significant digits, the unit chosen by size. */
export function formatDuration(durationUs: number): string {
  const abs = Math.abs(durationUs);
  if (abs >= 60_000_000) {
    const minutes = Math.floor(abs / 60_000_000);
    const seconds = (abs - minutes * 60_000_000) / 1e6;
    return `${durationUs < 0 ? '−' : ''}${minutes} min ${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  }
  if (abs >= 1e6) return `${sig(durationUs / 1e6)} s`;
  if (abs >= 1e3) return `${sig(durationUs / 1e3)} ms`;
  if (abs >= 1) return `${sig(durationUs)} µs`;
  if (abs === 0) return '0';
  return `${sig(durationUs * 1e3)} ns`;
}

/**
 * A time relative to the trigger: "−1.250 s", "+12 ms", "0". The unit follows the magnitude;
 * the decimals follow `stepUs` (the resolution that matters: an axis step, or 1 ms).
 */
export function formatOffset(offsetUs: number, stepUs = 0): string {
  if (offsetUs === 0) return '0';
  const sign = offsetUs < 0 ? '−' : '+';
  const abs = Math.abs(offsetUs);
  const unitUs = abs >= 1e6 ? 1e6 : abs >= 1e3 ? 1e3 : 1;
  const unit = unitUs === 1e6 ? 's' : unitUs === 1e3 ? 'ms' : 'µs';
  const resolution = stepUs > 0 ? stepUs : Math.max(1, abs / 100);
  const decimals = Math.min(6, Math.max(0, Math.ceil(Math.log10(unitUs / resolution) - 1e-9)));
  return `${sign}${(abs / unitUs).toFixed(decimals)} ${unit}`;
}

function sig(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Tick step (1, 2 or 5 × 10^k µs) so that ticks are at least `minSpacingPx` apart. */
export function tickStep(spanUs: number, widthPx: number, minSpacingPx: number): number {
  const raw = (spanUs / Math.max(1, widthPx)) * minSpacingPx;
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
  for (const m of [1, 2, 5, 10]) if (power * m >= raw) return power * m;
  return power * 10;
}

/** Tick positions (µs, absolute) inside [startUs, endUs], aligned to the origin. */
export function ticks(startUs: number, endUs: number, originUs: number, stepUs: number): number[] {
  const result: number[] = [];
  const first = Math.ceil((startUs - originUs) / stepUs);
  for (let k = first; originUs + k * stepUs <= endUs && result.length < 1000; k++) result.push(originUs + k * stepUs);
  return result;
}

/**
 * "1,074,625": thousands separated, as toLocaleString('en-US') writes integers. Used before the
 * first frame, where the first toLocaleString call spent ~100-200 ms setting up ICU.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) return String(count);
  const digits = String(Math.abs(count));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return count < 0 ? `-${out}` : out;
}
