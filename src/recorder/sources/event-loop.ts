// Event-loop health: delay percentiles and utilisation as counters every COUNTER_INTERVAL_MS,
// and an `Event loop blocked` slice for every period the loop spent away from its timers for
// longer than the threshold.
//
// How a block is found, with one unref'd timer: every tick notes the time and the loop's
// accumulated idle time (time spent waiting in epoll). When a tick arrives ≥ threshold after
// the previous one, the busy time between the two ticks is (elapsed − idle growth); that busy
// stretch is reported as the slice [now − busy, now]. A block delays the tick, so the tick
// runs right after the block ends and the slice sits where the block was.
//
// A loop that is busy but turning — a saturated server, a chain of short callbacks — is not
// blocked, though the tick sees as much busy time between two ticks as a block would show. What
// tells them apart is whether the loop went back to its timers: libuv counts the loop's turns
// (Node 20.18+: performance.nodeTiming.uvMetricsInfo.loopCount). A gap the loop turned in at
// most once is one stretch away from the timers, all of its busy time the block. A gap with
// more turns holds a block at least as long as the tick was late — libuv runs the timers at
// the end of every turn, so the last turn's stretch began before the tick fell due — which is
// enough when it reaches the threshold; and a gap of a few turns that held idle time (FEW_TURNS
// below) is still read as a block. What is given up: a block shorter than the threshold plus
// one tick, right after many short turns, may be missed; what is gained: a saturated loop no
// longer shows a 50 ms "block" every tick (and a loopBlockMs rule and a stack probe for each).
// Without the count (Node before 20.18) every busy gap is taken as before.
//
// Delay percentiles come from the same tick: its lateness (time since it was scheduled minus
// the interval asked for) is one sample of the loop's delay, kept in a small fixed array and
// reduced to p50/p99/max at each counter. This replaced a `monitorEventLoopDelay` histogram,
// whose own native timer (40 ms resolution) woke the process 25 more times a second, for
// samples no finer than the tick's.
//
// Cost: the tick runs every ACTIVE_TICK_MS (50, or the threshold when lower) while the loop
// works and backs off to IDLE_TICK_MS (100) while it sleeps (less than IDLE_BUSY_US of work in
// the last tick). A tick no longer than the threshold is as accurate as a shorter one: a block
// of at least the threshold always covers a tick's due time, so the tick runs the moment the
// block ends and places it exactly; a shorter tick only costs more wake-ups (going from 25 to
// 50 ms, with the live-metrics timer gone, took the recorder's periodic work from 0.70 % to
// 0.51 % of a loaded server's main-thread samples: docs/benchmarks.md). After an idle
// stretch, a block shorter than the idle tick may be placed up to IDLE_TICK_MS late; its
// length is still right.
//
// The tick also runs the periodic work other sources hand to SourceContext.onLoopTick (the HTTP
// server's sweep for connections closed mid-request), so they keep no timer of their own.
//
// Each tick also notes in the ring's header when the next one is due (one store): a snapshot
// asked for long after that time finds the loop blocked since, so the watchdog probes where at
// once instead of waiting for an answer that will not come, and the snapshot shows the block
// still under way (worker-main.ts), which the tick itself would only report once it ended.
import { performance } from 'node:perf_hooks';
import { EventNames, type LoopBlockArgs, type LoopDelayArgs } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { rethrow } from '../guard';
import { Kind } from './kinds';

const ACTIVE_TICK_MS = 50;
const IDLE_TICK_MS = 100;
const IDLE_BUSY_US = 2000;
const COUNTER_INTERVAL_MS = 500;
/** The shortest interval under way a snapshot writes counters for (see flushCounters). */
const MIN_PARTIAL_COUNTER_MS = 50;
/** While the loop works, the rules hear so this often (the watchdog then looks for a block: loop-probe.ts). */
const ACTIVE_NOTICE_MS = 5000;
/**
 * Ticks in a row with work before the loop counts as working: one busy tick is a blip (the
 * main module loading, the recorder's own GC window read, a timer's callback in an idle program)
 * that should not set the watchdog polling for the next 10 s.
 */
const WORKING_TICKS = 2;
/** Delay samples kept per counter interval (500 ms / 5 ms fastest tick = 100, rounded up). */
const MAX_DELAY_SAMPLES = 128;
/** Turns of the loop between two ticks that still make one stretch away from the timers: the tick's own turn's end and the next's start. */
const TURNS_IN_ONE_STRETCH = 1;
/**
 * A gap of a few turns with some idle time in it is taken as a block too: the loop waited for
 * I/O, took a few turns to read it (a connection accepted, a request's bytes, a timer, an
 * immediate or two), then stayed busy for the threshold — the usual shape of a block on a
 * lightly loaded server, which the lateness alone would miss when the handler started soon
 * after a tick. A saturated loop finds work waiting at every turn (no idle time) or turns many
 * times (short callbacks); one nearly saturated by 10 ms callbacks turned ~5 times a tick with
 * ~1 ms idle in each. So past VERY_FEW_TURNS the gap must also have begun with the loop idle
 * (the tick at IDLE_TICK_MS: a request reaching an idle server) or the waiting must be a share
 * of the gap: a block that began a few ms after an idle tick, behind a timer and two immediates,
 * left ~10 ms of idle time in a 100 ms gap of five turns — as much as the 10 ms callbacks.
 * Measured on synthetic loops (2, 20 and 40 ms callbacks back to back, 5 and 10 ms ones a ms
 * apart, 3 ms ones between fs calls): 0–1 slices in 2.5 s each (the one: where 40 ms callbacks
 * began on an idle loop), against 24–44 before; of blocks of 55–95 ms after an idle wait and
 * three to six turns, 20 of 20 still reported (a limit of 4 turns alone found 12), and 40 of 40
 * blocks of 90 ms behind a timer and two immediates at every phase against the tick.
 */
const FEW_TURNS = 8;
const VERY_FEW_TURNS = 4;
const WAITED_US = 1000;
const WAITED_SHARE = 1 / 8;
const INT32_MAX = 0x7fffffff;

export function eventLoopSource(thresholdMs: number): EventSource {
  let flushBlock = (): boolean => false;
  let flushCounters = (): void => {};
  return {
    name: 'event-loop',
    // A snapshot taken right after a block — a slowRequestMs rule firing as the slow request
    // ends, inside the very callback that blocked — comes before the tick that would report
    // the block: the tick runs once the loop turns again. So the snapshot reports it first.
    flush: () => {
      const blocked = flushBlock();
      flushCounters();
      return blocked;
    },
    install(context: SourceContext) {
      const { ring, rules } = context;
      const thresholdUs = thresholdMs * 1000;
      const activeTickMs = Math.max(5, Math.min(ACTIVE_TICK_MS, Math.floor(thresholdMs)));
      const delaySamplesUs = new Float64Array(MAX_DELAY_SAMPLES);
      let delaySampleCount = 0;
      // perf_hooks' timing object, read once: each tick then reads one getter of it.
      const nodeTiming = performance.nodeTiming;
      const turnsSoFar = loopTurnCounter(nodeTiming);
      let lastTurns = turnsSoFar();
      let lastTickUs = ring.nowUs();
      let lastIdleMs = nodeTiming.idleTime;
      let lastCounterUs = lastTickUs;
      let counterIdleMs = lastIdleMs;
      let tickMs = activeTickMs;
      let activeNoticeUs = -Infinity;
      let busyTicks = 0;

      /**
       * Notes the loop back at `nowUs` with `idleMs` of idle time so far: the busy time since
       * the last note, and a block when that is at least the threshold (recorded before the
       * rules hear of it: a rule's snapshot flushes, and finds nothing left to report).
       */
      const noteLoopBack = (nowUs: number, idleMs: number, gapUs: number): number => {
        const busyUs = Math.max(0, Math.min(gapUs, gapUs - (idleMs - lastIdleMs) * 1000));
        const turns = turnsSoFar();
        const turnedInGap = turns - lastTurns;
        lastTickUs = nowUs;
        lastIdleMs = idleMs;
        lastTurns = turns;
        const idleUs = gapUs - busyUs;
        const awayFromTimers =
          turnedInGap <= TURNS_IN_ONE_STRETCH ||
          gapUs - tickMs * 1000 >= thresholdUs ||
          (turnedInGap <= FEW_TURNS && idleUs >= WAITED_US && (turnedInGap <= VERY_FEW_TURNS || tickMs === IDLE_TICK_MS || idleUs >= gapUs * WAITED_SHARE));
        if (gapUs >= thresholdUs && busyUs >= thresholdUs && awayFromTimers) {
          ring.write(Kind.loopBlock, nowUs - busyUs, busyUs, 0, thresholdMs, 0, 0, 0);
          rules.loopBlocked(busyUs / 1000);
        }
        return busyUs;
      };
      flushBlock = () => {
        const nowUs = ring.nowUs();
        const gapUs = nowUs - lastTickUs;
        if (gapUs < thresholdUs) return false;
        // The tick's lateness so far is its delay sample (the tick itself, when it runs, only
        // measures from here).
        if (delaySampleCount < MAX_DELAY_SAMPLES) delaySamplesUs[delaySampleCount++] = Math.max(0, gapUs - tickMs * 1000);
        return noteLoopBack(nowUs, nodeTiming.idleTime, gapUs) >= thresholdUs;
      };

      // Catches its own errors (see guard.ts: rethrow): one frame less on every tick.
      const reportTickError = context.guard('event-loop tick', rethrow);
      const tick = () => {
        try {
          const nowUs = ring.nowUs();
          const gapUs = nowUs - lastTickUs;
          if (delaySampleCount < MAX_DELAY_SAMPLES) delaySamplesUs[delaySampleCount++] = Math.max(0, gapUs - tickMs * 1000);
          const idleMs = nodeTiming.idleTime;
          const busyUs = noteLoopBack(nowUs, idleMs, gapUs);
          // Back off while idle, come back to the fine interval as soon as there is work.
          const working = busyUs >= IDLE_BUSY_US;
          const wantedMs = working ? activeTickMs : IDLE_TICK_MS;
          if (wantedMs !== tickMs) {
            tickMs = wantedMs;
            clearInterval(timer);
            timer = setInterval(tick, tickMs);
            timer.unref();
          }
          ring.noteLoopTickDue(nowUs + tickMs * 1000);
          busyTicks = working ? busyTicks + 1 : 0;
          if (busyTicks >= WORKING_TICKS && nowUs - activeNoticeUs >= ACTIVE_NOTICE_MS * 1000) {
            activeNoticeUs = nowUs;
            rules.loopActive?.();
          }
          if (nowUs - lastCounterUs >= COUNTER_INTERVAL_MS * 1000) writeCounters(nowUs, idleMs);
        } catch (error) {
          reportTickError(error);
        }
        // Other sources' periodic work (each guards its own).
        context.runLoopTickWork();
      };
      /**
       * The counters of the interval since the last ones, up to `nowUs`: percentiles of its tick
       * delays (nearest rank), and the share of it the loop spent working (what
       * performance.eventLoopUtilization() would say, from the idle time already read: no call,
       * no object). Stamped at the start of the interval they describe, which they span (dur): a
       * trace counter's value holds from its time to the next one's (our timeline, Perfetto,
       * Chrome), so a counter stamped when it was sampled showed each interval's delay over the
       * interval after it — a block's delay drawn after the block.
       */
      const writeCounters = (nowUs: number, idleMs: number) => {
        const samples = delaySamplesUs.subarray(0, delaySampleCount).sort();
        const p50Us = Math.min(INT32_MAX, Math.round(nearestRank(samples, 0.5)));
        const p99Us = Math.min(INT32_MAX, Math.round(nearestRank(samples, 0.99)));
        const maxUs = Math.min(INT32_MAX, Math.round(nearestRank(samples, 1)));
        delaySampleCount = 0;
        const intervalUs = nowUs - lastCounterUs;
        ring.write(Kind.loopDelay, lastCounterUs, intervalUs, maxUs, p50Us, p99Us, 0, 0);
        const utilization = intervalUs > 0 ? Math.min(1, Math.max(0, 1 - ((idleMs - counterIdleMs) * 1000) / intervalUs)) : 0;
        ring.write(Kind.loopUtilization, lastCounterUs, intervalUs, 0, Math.round(utilization * 1e6), 0, 0, 0);
        lastCounterUs = nowUs;
        counterIdleMs = idleMs;
      };
      // A snapshot also takes the interval under way: the last counters' values would otherwise
      // hold on the timeline up to the snapshot's end — a block's delay drawn over the calm
      // after it, up to half a second. Not for a sliver of an interval (a second snapshot
      // request moments after the first): it would say little, from a tick or none.
      flushCounters = () => {
        const nowUs = ring.nowUs();
        if (nowUs - lastCounterUs >= MIN_PARTIAL_COUNTER_MS * 1000) writeCounters(nowUs, nodeTiming.idleTime);
      };
      // An interval, not a timeout refreshed at each tick: Node re-arms an interval inside its
      // own timer loop, where a refresh() from the callback went through the timer API again
      // (its median share of a tick was ~11 µs of ~36 on a loaded server: docs/benchmarks.md).
      let timer = setInterval(tick, tickMs);
      timer.unref();
      ring.noteLoopTickDue(lastTickUs + tickMs * 1000);
      return () => {
        clearInterval(timer);
        ring.noteLoopTickDue(0);
        // Uninstalled, the ticks stop: the time since the last is no longer the loop's to report.
        flushBlock = () => false;
        flushCounters = () => {};
      };
    },
  };
}

/** libuv's count of the loop's turns so far, or always 0 where Node does not give it (before 20.18: every gap then reads as one turn). */
function loopTurnCounter(nodeTiming: typeof performance.nodeTiming): () => number {
  const timing = nodeTiming as unknown as { uvMetricsInfo?: { loopCount?: unknown } };
  return typeof timing.uvMetricsInfo?.loopCount === 'number' ? () => timing.uvMetricsInfo!.loopCount as number : () => 0;
}

/** The nearest-rank percentile of `sorted` (0 when empty). */
function nearestRank(sorted: Float64Array, fraction: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0);
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** `loopBlock` (39): ts = block start, dur = µs the loop did not reach its timers, a = threshold ms. */
export function decodeLoopBlock(record: RecordView, out: DecodeContext): void {
  const args: LoopBlockArgs = { thresholdMs: record.a };
  out.emit({ name: EventNames.loopBlock, cat: 'eventloop', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args: args as unknown as Record<string, unknown> });
}

/** `loopDelay` (40): ts = the start of the interval it describes, dur = its length; a = p50 µs, b = p99 µs, id = max µs of the tick delays in it. */
export function decodeLoopDelay(record: RecordView, out: DecodeContext): void {
  const args: LoopDelayArgs = { p50Ms: round3(record.a / 1000), p99Ms: round3(record.b / 1000), maxMs: round3(record.id / 1000) };
  out.emit({ name: EventNames.loopDelay, cat: 'eventloop', ph: 'C', ts: record.tsUs, pid: out.pid, tid: out.tid, args: args as unknown as Record<string, unknown> });
}

/** `loopUtilization` (41): ts = the start of the interval it describes, dur = its length; a = the loop's utilisation in it × 10^6. */
export function decodeLoopUtilization(record: RecordView, out: DecodeContext): void {
  out.emit({ name: EventNames.loopUtilization, cat: 'eventloop', ph: 'C', ts: record.tsUs, pid: out.pid, tid: out.tid, args: { utilization: round3(record.a / 1e6) } });
}
