// Sizes (`10mb`, `512k`, `1gib`; binary multiples) and durations (`200ms`, `2s`, `1m`, `500us`).
import { UsageError } from './errors';

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** Bytes; a bare number is bytes. Throws UsageError naming `what`. */
export function parseSize(text: string, what: string, bareUnit: keyof typeof SIZE_UNITS = ''): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? (match[2] ?? '').toLowerCase() : '';
  const factor = SIZE_UNITS[unit === '' ? bareUnit : unit];
  if (!match || factor === undefined) throw new UsageError(`${what}: "${text}" is not a size (examples: 10mb, 512k, 1gb)`);
  return Math.round(Number(match[1]) * factor);
}

const DURATION_MS: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds (may be fractional for µs). A bare number is in `bareUnit`. */
export function parseDurationMs(text: string, what: string, bareUnit: 'us' | 'ms' | 's' = 'ms'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${what}: "${text}" is not a duration (examples: 200ms, 2s, 1m)`);
  const unit = (match[2] ?? bareUnit).toLowerCase();
  return Number(match[1]) * DURATION_MS[unit]!;
}

/** "1.5 s", "300 ms", "2 min 05 s" — for people. */
export function formatDurationMs(value: number): string {
  if (!Number.isFinite(value)) return '?';
  if (value < 1) return `${Math.round(value * 1000)} µs`;
  if (value < 1000) return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(value / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours} h ${String(minutes).padStart(2, '0')} min` : `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
