// Live metrics read straight from the main thread's ring by the watchdog (no main-thread work,
// no timer of their own): the newest loop-delay, utilisation and memory counters, requests
// finished in the last second, requests in flight.
// Scans backwards from the newest record, bounded, tolerating the writer racing it.
import { Kind } from '../sources/kinds';
import { layoutFromHeader, HEADER_BYTES, RECORD_F64, RECORD_U32, RECORD_KIND_U32, H_TOTAL_RECORDS } from '../ring/layout';
import type { LiveMetrics } from '../../format/control';

const MAX_SCAN_RECORDS = 100_000;
const IN_FLIGHT_HORIZON_US = 60_000_000;

/** The live view's metrics as the ring holds them (the time is added by the caller). */
export type RingLiveMetrics = Omit<LiveMetrics, 'ts'>;

export function scanLiveMetrics(ring: SharedArrayBuffer, nowUs: number): RingLiveMetrics {
  const layout = layoutFromHeader(ring);
  const total = new Float64Array(ring, 0, HEADER_BYTES / 8)[H_TOTAL_RECORDS] ?? 0;
  const capacity = layout.recordCapacity;
  const f64 = new Float64Array(ring, layout.recordsOffset, capacity * RECORD_F64);
  const u32 = new Uint32Array(ring, layout.recordsOffset, capacity * RECORD_U32);
  const count = Math.min(total, capacity, MAX_SCAN_RECORDS);
  let loopDelayP99Ms = -1;
  let loopUtilization = -1;
  let heapUsedMB = -1;
  let rssMB = -1;
  let finishedLastSecond = 0;
  let activeRequests = 0;
  const ended = new Set<number>();
  for (let n = 1; n <= count; n++) {
    const slot = (((total - n) % capacity) + capacity) % capacity;
    const kind = u32[slot * RECORD_U32 + RECORD_KIND_U32] ?? 0;
    const ts = f64[slot * RECORD_F64] ?? 0;
    if (nowUs - ts > IN_FLIGHT_HORIZON_US) break;
    if (kind === Kind.loopDelay && loopDelayP99Ms < 0) {
      loopDelayP99Ms = (f64[slot * RECORD_F64 + 3] ?? 0) / 1000; // b = p99, µs
    } else if (kind === Kind.loopUtilization && loopUtilization < 0) {
      loopUtilization = (f64[slot * RECORD_F64 + 2] ?? 0) / 1e6; // a = utilisation × 10^6
    } else if (kind === Kind.memory && heapUsedMB < 0) {
      heapUsedMB = (f64[slot * RECORD_F64 + 2] ?? 0) / 1048576; // a = heap used, bytes
      rssMB = (u32[slot * RECORD_U32 + RECORD_KIND_U32 + 1] ?? 0) / 1024; // id = RSS, KiB
    } else if (kind === Kind.httpServerSpan && (f64[slot * RECORD_F64 + 3] ?? 0) !== 0) {
      // A request completed in place: start in ts, length in dur (b = 0: not completed yet).
      if (nowUs - (ts + (f64[slot * RECORD_F64 + 1] ?? 0)) <= 1_000_000) finishedLastSecond++;
    } else if (kind === Kind.httpServerEnd) {
      ended.add(u32[slot * RECORD_U32 + RECORD_KIND_U32 + 1] ?? 0);
      // An end record carries the request's start in ts and its length in dur.
      if (nowUs - (ts + (f64[slot * RECORD_F64 + 1] ?? 0)) <= 1_000_000) finishedLastSecond++;
    } else if (kind === Kind.httpServerBegin || kind === Kind.httpServerSpan) {
      if (!ended.has(u32[slot * RECORD_U32 + RECORD_KIND_U32 + 1] ?? 0)) activeRequests++;
    }
  }
  return {
    loopDelayP99Ms: Math.max(0, loopDelayP99Ms), loopUtilization: Math.max(0, loopUtilization),
    heapUsedMB: Math.max(0, heapUsedMB), rssMB: Math.max(0, rssMB),
    requestsPerSec: finishedLastSecond, activeRequests,
  };
}
