// performance.now() (ms since the process's time origin) → the ring's trace clock (µs). Both
// are monotonic; one calibration at install is enough (drift between them is nil: Node derives
// performance.now() from the same uv_hrtime).
import { performance } from 'node:perf_hooks';
import type { EventRing } from '../contracts';

export function perfToTraceUs(ring: EventRing): (perfMs: number) => number {
  const offsetUs = ring.nowUs() - performance.now() * 1000;
  return (perfMs: number) => perfMs * 1000 + offsetUs;
}
