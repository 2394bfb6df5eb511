// Small statistics for benchmark samples: medians with min–max, percentiles, ratios.
// Medians, not means: on a shared 2-core machine one run in five can be hit by another
// process, and a median of interleaved runs ignores it while a mean does not.

/** Sorted copy, numbers only. */
function sorted(values) {
  return values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
}

export function median(values) {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100): p99 of 50 samples is the largest but none. */
export function percentile(values, p) {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values) {
  const s = sorted(values);
  return { median: median(s), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, n: s.length };
}

/** "12.3 (11.9–12.8)" */
export function formatSummary(summary, digits = 1) {
  if (!summary || !Number.isFinite(summary.median)) return 'n/a';
  return `${summary.median.toFixed(digits)} (${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)})`;
}

/** A difference with its sign: "+3.3", "−5.6" (a with-minus-without that noise took below 0 reads as such, not as "+-5.6"). */
export function signed(value, digits = 1) {
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}`;
}
