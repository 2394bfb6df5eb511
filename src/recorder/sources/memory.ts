// Process memory as a `Memory` counter (MiB) about once a second, and the heap-used rule's input.
// Sampled at the event-loop source's tick (SourceContext.onLoopTick), the first one a second or
// more after the last sample, not by a timer of its own: a timer's wake-up costs an idle
// program more than the sample (docs/benchmarks.md, finding 1).
import { EventNames, type MemoryArgs } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';

const INTERVAL_US = 1_000_000;
const KiB = 1024;
/** b packs heap total and external (KiB each, external < 64 GiB) into one exact float64. */
const PACK = 2 ** 26;

export function memorySource(): EventSource {
  return {
    name: 'memory',
    install(context: SourceContext) {
      const { ring, rules } = context;
      let lastSampleUs = -Infinity;
      const sample = context.guard('memory sample', () => {
        const nowUs = ring.nowUs();
        if (nowUs - lastSampleUs < INTERVAL_US) return;
        lastSampleUs = nowUs;
        const usage = process.memoryUsage();
        const externalKiB = Math.min(Math.round(usage.external / KiB), PACK - 1);
        ring.write(Kind.memory, nowUs, 0, Math.round(usage.rss / KiB), usage.heapUsed, Math.round(usage.heapTotal / KiB) * PACK + externalKiB, 0, 0);
        rules.heapSampled(usage.heapUsed / (KiB * KiB));
      });
      sample();
      return context.onLoopTick(sample);
    },
  };
}

const mib = (kib: number) => Math.round((kib / KiB) * 100) / 100;

/**
 * `memory` (42): ts = sample time, a = heap used bytes, id = RSS KiB,
 * b = heap total KiB × 2^26 + external KiB (four numbers in a three-number record).
 */
export function decodeMemory(record: RecordView, out: DecodeContext): void {
  const heapTotalKiB = Math.floor(record.b / PACK);
  const args: MemoryArgs = { heapUsedMB: mib(record.a / KiB), heapTotalMB: mib(heapTotalKiB), rssMB: mib(record.id), externalMB: mib(record.b - heapTotalKiB * PACK) };
  out.emit({ name: EventNames.memory, cat: 'memory', ph: 'C', ts: record.tsUs, pid: out.pid, tid: out.tid, args: args as unknown as Record<string, unknown> });
}
