// Where was the main thread while its event loop was blocked? The event-loop tick can only say
// that a block happened, once it is over; this says where. While armed, the watchdog looks at when
// the main thread's tick falls due (loop-tick.ts) at the moment that tick would be `afterMs`
// overdue (about once a tick); if it is — the loop has been away at least the block threshold, so
// a block will be recorded — it asks V8, through an inspector session connected to the main
// thread, to evaluate a tiny expression. The inspector runs it at the blocked code's next
// interrupt check (every function entry and loop back edge), on top of the blocked code's own
// stack: the expression captures that stack (Error.captureStackTrace, its own frame left out) and
// the time on the trace clock, and hands both back by value. The snapshot gives the block that
// contains that time its frames.
//
// Armed by blocks: each block the main thread records arms the prober for ARMED_MS (the main
// thread says so in a message, once per block). A timer wake-up costs this VM ~250 µs of CPU (a
// 50 ms interval alone: ~5 ms of CPU a second), so polling for good would double an idle
// program's cost, and polling through a program's first seconds (tried: 10 s) put 20 wake-ups a
// second into every short benchmark of a fresh server. So between blocks it only watches, and
// only while work is under way — the main thread's loop works (ticks in a row find work, and
// the tick says so every few seconds: event-loop.ts), or an HTTP request arrived (the request
// hook says so, every few seconds at most: http-server.ts) — a look every WATCH_POLL_MS, and
// when that starts, one look timed for the moment a block beginning then would first show (the
// tick's due time plus the threshold). A program's first block, the first after a quiet spell
// and an idle server's first slow request get their stack. Nothing announces the other work of
// an idle program (a timer's job, a message), so while nothing is under way it looks once a
// second (SENTINEL_LOOK_MS): a block of more than ~1.2 s gets its stack wherever it starts, a
// shorter one that starts an idle program's other work by chance.
// (Waiting on the tick's slot with Atomics.waitAsync instead would need the main thread to
// notify at every tick.)
//
// Cost to the main thread: ~0.3–0.8 ms a probe on the machines measured (compiling and running
// the expression, serialising ~30 frames: docs/benchmarks.md), only during a block that is
// already at least the threshold long, at most one probe per block, and PROBES_PER_SECOND a
// second over time (a bucket of PROBE_BURST: blocks that come close together all get theirs).
// Nothing is enabled in the inspector (no Debugger.enable: that would make V8 report every
// script to the session), and the session is connected only for the probe.
// A thread busy in native code (a sync fs call, JSON.parse of a huge string; not Atomics.wait,
// which V8 interrupts) runs the expression when it is back in JavaScript: the frames are then
// where it went on, and a probe whose time falls after its block is not given to any block.
// Worker threads (followWorkers): each look also reads every running worker's tick (its ring's
// header) and probes a blocked one through the main thread's inspector (worker-probe.ts). A
// worker's block arms the prober, and its work has it watch, as the main thread's do (the
// worker says so on its lane: threads/worker-rings.ts); the looks stay timed by the main
// thread's tick, so while armed a worker's block is caught by ~250 ms into it (50–150 ms for
// it to show, a look each main-thread tick, ≤ 100 ms apart). The main thread comes first, and
// worker probes have a smaller bucket of their own (they cost the main thread more:
// WORKER_PROBES_PER_SECOND).
import type { StackFrame } from '../../format/stack';
import { nowUs } from '../clock';
import type { LoopProbe } from '../snapshot/build';
import { loopTickDueUs } from './loop-tick';
import { askMainThread } from './main-thread-session';
import { evaluateOnWorker } from './worker-probe';
import type { LiveWorker } from '../threads/worker-rings';

/** The script name of the probe's own frames (left out of what it reports). */
export const LOOP_PROBE_SCRIPT = 'node-flight-recorder:loop-probe';
export const MAX_PROBE_FRAMES = 32;
/** Longest function name or script URL kept from a frame. */
const MAX_FRAME_TEXT = 512;
/**
 * While armed, about how often it looks: each look is timed for the moment a block could first
 * show — the tick's due time plus the threshold — which comes every tick (50 ms while the loop
 * works, 100 ms while it idles); this interval is what it waits while a block it has seen lasts.
 */
const POLL_MS = 50;
/** Bounds of a look's timing (a due time read just before the tick moves it, a clock far off). */
const MIN_LOOK_MS = 5;
const MAX_LOOK_MS = 250;
/** How long a recorded block keeps the prober polling. */
export const ARMED_MS = 30_000;
/**
 * While the main thread's loop works (it says so every few seconds: event-loop.ts) and no block
 * has armed the prober, it looks this often, for WATCHED_MS after each word: a program's first
 * block, and the first after a quiet spell, get their stack when they last ~150 ms past the
 * threshold (~5 wake-ups a second, ~1.25 ms of CPU a second here, only while the program works).
 */
const WATCH_POLL_MS = 200;
export const WATCHED_MS = 10_000;
/**
 * Once started (the watchdog does), while nothing is under way it still looks this often: a
 * block of more than ~1.2 s — the stalls that matter most — gets its stack even when it starts
 * an idle program's other work (a timer's job), which nothing announces. One wake-up a second
 * (~0.25 ms of CPU here: docs/benchmarks.md).
 */
const SENTINEL_LOOK_MS = 1000;
/** How long after a block could first show a timed look comes (timers fire a little late or early). */
const LOOK_SLACK_MS = 3;
/**
 * Probes a second over time: a program whose loop blocks again and again pays at most five
 * (~0.25 % of its main thread at ~0.5 ms each).
 */
const PROBES_PER_SECOND = 5;
/**
 * Probes that may follow each other at once: blocks close together (a burst of slow requests,
 * each blocking ~150 ms) all get their stacks. A gap of 200 ms between any two probes left the
 * second of two blocks 180 ms apart without one (the demo's).
 */
export const PROBE_BURST = 3;
/** A probe the main thread has not run by then is dropped (it is dispatched to no one once the session closes). */
const PROBE_TIMEOUT_MS = 5_000;
/**
 * A worker's probe costs the main thread ~0.6 ms (one worker) to ~1.2 ms (four) of CPU on the
 * machines measured: its inspector attaches a session to every worker and relays the answer
 * (docs/benchmarks.md). A pool's workers block their loops with every long task, again and
 * again: at most this many a second over time (~0.1–0.2 % of the main thread), up to a burst of
 * WORKER_PROBE_BURST (a worker's first block and the one after it).
 */
const WORKER_PROBES_PER_SECOND = 1;
const WORKER_PROBE_BURST = 2;
/**
 * Each worker probe attaches to every worker (~2 ms of the main thread with 16): with more
 * workers than this the rate falls in proportion (16 workers: one probe every 2 s), so their
 * cost to the main thread stays about what eight workers' would be.
 */
const WORKERS_AT_FULL_RATE = 8;
/**
 * A worker's probe goes through the main thread's inspector and runs at the worker's next
 * interrupt check: a few ms (V8 interrupts even `Atomics.wait`, a pool waiting for work). One
 * not answered by then is in native code (a sync fs call, zlib), which it may not leave for
 * long, and the probes of other threads wait.
 */
const WORKER_PROBE_TIMEOUT_MS = 500;
/** Workers whose last probed block is remembered (then forgotten all at once: threads come and go). */
const MAX_WORKERS_REMEMBERED = 256;
/** Probes kept for the next snapshot (the newest; a snapshot holds ~10 s of history). */
const KEPT_PROBES = 64;

/**
 * Runs in the main thread at an interrupt check. Plain ES5 and globals only: it runs in the
 * program's realm, among the program's own globals, and restores what it changes. The
 * stack is taken as call sites (prepareStackTrace) rather than parsed from text, so a
 * program's own prepareStackTrace (source-map-support) does not reshape it.
 */
export const LOOP_PROBE_EXPRESSION = `(function nfrLoopProbe(){var limit=Error.stackTraceLimit,prepare=Error.prepareStackTrace,holder={},time=null;
try{time=process.hrtime()}catch(e){}
try{Error.stackTraceLimit=${MAX_PROBE_FRAMES + 2};Error.prepareStackTrace=function(_,sites){return sites.map(function(s){return[s.getFunctionName(),s.getScriptNameOrSourceURL(),s.getLineNumber(),s.getColumnNumber()]})};
Error.captureStackTrace(holder,nfrLoopProbe);return[time,holder.stack]}finally{Error.stackTraceLimit=limit;if(Error.prepareStackTrace!==prepare)Error.prepareStackTrace=prepare}})()
//# sourceURL=${LOOP_PROBE_SCRIPT}`;

const text = (value: unknown): string => (typeof value === 'string' ? value.slice(0, MAX_FRAME_TEXT) : '');
const position = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0);

/**
 * The probe's answer as a LoopProbe — with no frames when nothing ran under it (the thread was
 * idle) — or undefined when the answer is not what the expression returns. Read defensively:
 * it comes back from the program's realm. It ran between `askedUs` and `answeredUs` (the
 * watchdog's clock): a time outside that — no time, or a program that replaced `process.hrtime`
 * (fake timers in a test runner) — is taken as `answeredUs`.
 */
export function parseLoopProbe(value: unknown, askedUs: number, answeredUs: number): LoopProbe | undefined {
  if (!Array.isArray(value) || value.length !== 2 || !Array.isArray(value[1])) return undefined;
  const [time, sites] = value as [unknown, unknown[]];
  const reported = Array.isArray(time) && typeof time[0] === 'number' && typeof time[1] === 'number' ? time[0] * 1e6 + time[1] / 1e3 : NaN;
  // A millisecond of slack: the two threads read the same clock, but not at the same instant.
  const ts = reported >= askedUs - 1000 && reported <= answeredUs + 1000 ? reported : answeredUs;
  const frames: StackFrame[] = [];
  for (const site of sites) {
    if (frames.length >= MAX_PROBE_FRAMES) break;
    if (!Array.isArray(site) || site[1] === LOOP_PROBE_SCRIPT) continue;
    frames.push({ functionName: text(site[0]), url: text(site[1]), lineNumber: position(site[2]), columnNumber: position(site[3]) });
  }
  return { ts, frames };
}

/** Evaluates `expression` in the main thread; resolves its value, or undefined (error, timeout, no inspector). */
export function evaluateOnMainThread(expression: string, timeoutMs: number): Promise<unknown> {
  return askMainThread(timeoutMs, (session, answer) => {
    session.post('Runtime.evaluate', { expression, returnByValue: true, silent: true }, (error, result) => {
      answer(error || result?.exceptionDetails ? undefined : result?.result?.value);
    });
  });
}

/** The main thread's id in a snapshot's lanes (tid) and to `evaluate`. */
export const MAIN_THREAD_ID = 0;

/** Evaluates `expression` in thread `threadId` (MAIN_THREAD_ID or a worker's); resolves its value, or undefined. */
export type EvaluateOnThread = (expression: string, timeoutMs: number, threadId: number) => Promise<unknown>;

export const evaluateOnThread: EvaluateOnThread = (expression, timeoutMs, threadId) =>
  threadId === MAIN_THREAD_ID ? evaluateOnMainThread(expression, timeoutMs) : evaluateOnWorker(threadId, expression, timeoutMs);

/** Probes the main thread and worker threads during their event-loop blocks and keeps the newest probes for the next snapshot. */
export class LoopBlockProber {
  private readonly kept: LoopProbe[] = [];
  /** The next look. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** How often it looks, nominally: POLL_MS armed, WATCH_POLL_MS watched, SENTINEL_LOOK_MS started and neither, else 0. */
  private pollMs = 0;
  private armedUntilUs = 0;
  private watchedUntilUs = 0;
  /** The main thread's tick due time last probed (one probe a block). */
  private probedDueUs = 0;
  /** The same for each worker thread, by thread id. */
  private readonly workerProbedDueUs = new Map<number, number>();
  /** Probes of the main thread that may be made now. */
  private readonly mainProbes = new ProbeBucket(PROBES_PER_SECOND, PROBE_BURST);
  /** Probes of worker threads, a bucket of their own: each costs the main thread more (WORKER_PROBES_PER_SECOND). */
  private readonly workerProbes = new ProbeBucket(WORKER_PROBES_PER_SECOND, WORKER_PROBE_BURST);
  private probing = false;
  /** Whether it looks once a second while nothing is under way (startSentinel). */
  private sentinel = false;

  /**
   * `header`: the main ring's header (the tick's due time); `afterMs`: how overdue the tick must
   * be (the block threshold); `onProbe`: each probe kept (the main thread keeps them too, for
   * the snapshots it writes itself at exit); `evaluate`: runs the probe in a thread; `workers`:
   * the running worker threads whose loops it watches too (their rings' headers).
   */
  constructor(
    private readonly header: Float64Array,
    private readonly afterMs: number,
    private readonly onProbe: (probe: LoopProbe) => void = () => undefined,
    private readonly evaluate: EvaluateOnThread = evaluateOnThread,
    private readonly workers: () => readonly LiveWorker[] = () => [],
  ) {}

  /** Looks for the next `forMs`, each look timed for a block's first moment (a thread recorded a block: for the next ones). */
  arm(forMs = ARMED_MS): void {
    this.armedUntilUs = Math.max(this.armedUntilUs, nowUs() + forMs * 1000);
    this.plan();
  }

  /**
   * Looks slowly for the next `forMs`, unless armed (work is under way: the main thread's loop
   * works, or a request arrived). When it was not looking, its first look is timed for the
   * moment a block that began now would first show — the tick's due time plus the threshold —
   * so the first block of an idle program's work need not outlast the slow looks' interval.
   */
  watch(forMs = WATCHED_MS): void {
    this.watchedUntilUs = Math.max(this.watchedUntilUs, nowUs() + forMs * 1000);
    this.plan();
  }

  /** From now on, looks once a second while nothing is under way (SENTINEL_LOOK_MS). */
  startSentinel(): void {
    this.sentinel = true;
    this.plan();
  }

  /** Whether the prober is looking. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** How often it looks now, nominally, ms (0: it does not). */
  get pollIntervalMs(): number {
    return this.pollMs;
  }

  /** Stops looking, the sentinel too. */
  stop(): void {
    this.sentinel = false;
    this.clearLook();
  }

  private clearLook(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pollMs = 0;
  }

  /** Looks as armed, watched or the sentinel asks for: starts, re-times or ends the looks. */
  private plan(): void {
    const now = nowUs();
    const wantedMs = now <= this.armedUntilUs ? POLL_MS : now <= this.watchedUntilUs ? WATCH_POLL_MS : this.sentinel ? SENTINEL_LOOK_MS : 0;
    if (wantedMs === this.pollMs && this.timer !== undefined) return;
    // Looks that start after nothing was under way (or only the sentinel's).
    const starting = this.pollMs === 0 || this.pollMs === SENTINEL_LOOK_MS;
    // Armed looks are all timed; watched ones only the first after nothing was under way.
    const timed = wantedMs === POLL_MS || (wantedMs === WATCH_POLL_MS && starting);
    this.clearLook();
    if (wantedMs === 0) return;
    this.pollMs = wantedMs;
    this.timer = setTimeout(this.look, this.nextLookMs(now, timed, starting));
    this.timer.unref();
  }

  /**
   * How long until the next look: timed for the moment the tick, due at its noted time, would
   * be overdue by the threshold — a block covering that due time first shows then, and one
   * caught then has lasted 53–103 ms, where looks at a fixed 50 ms let blocks of up to ~150 ms
   * pass — or the nominal interval when not timed or when the tick is overdue already (a block
   * under way: the next look is for the next block). Except when the looks start with the tick
   * overdue already in a block not probed yet: the word that work is under way came late (this
   * thread runs below the program's priority, and a loaded machine delays it) and the block is
   * under way now — it looks at once. Waiting the slow looks' interval let an idle server's
   * first slow request end unprobed (1 integration run in 30 at 250 ms).
   */
  private nextLookMs(now: number, timed: boolean, starting: boolean): number {
    const dueUs = loopTickDueUs(this.header);
    if (!timed || dueUs <= 0 || dueUs === this.probedDueUs) return this.pollMs;
    if (now - dueUs >= this.afterMs * 1000) return starting ? MIN_LOOK_MS : this.pollMs;
    const ms = (dueUs - now) / 1000 + this.afterMs + LOOK_SLACK_MS;
    return Math.min(MAX_LOOK_MS, Math.max(MIN_LOOK_MS, ms));
  }

  private readonly look = (): void => {
    this.timer = undefined;
    this.check();
  };

  /** The probes kept, oldest first. */
  probes(): readonly LoopProbe[] {
    return this.kept;
  }

  /** Probes now if the main thread's loop is blocked, else a worker's (the timer's work; exposed for tests). */
  readonly check = (): void => {
    this.plan();
    if (this.pollMs === 0 || this.probing) return;
    const now = nowUs();
    const mainDueUs = loopTickDueUs(this.header);
    if (this.blockedSince(mainDueUs, this.probedDueUs, now)) {
      if (this.mainProbes.take(now)) {
        this.probedDueUs = mainDueUs;
        this.probe(MAIN_THREAD_ID, now);
      }
      return;
    }
    const workers = this.workers();
    for (const worker of workers) {
      const dueUs = loopTickDueUs(worker.header);
      if (!this.blockedSince(dueUs, this.workerProbedDueUs.get(worker.tid) ?? 0, now)) continue;
      if (!this.workerProbes.take(now, Math.min(1, WORKERS_AT_FULL_RATE / workers.length))) return;
      if (this.workerProbedDueUs.size >= MAX_WORKERS_REMEMBERED) this.workerProbedDueUs.clear(); // threads long gone
      this.workerProbedDueUs.set(worker.tid, dueUs);
      this.probe(worker.tid, now);
      return;
    }
  };

  /** Whether a loop whose tick fell due at `dueUs` is blocked at `now` by the threshold, in a block not probed yet. */
  private blockedSince(dueUs: number, probedDueUs: number, now: number): boolean {
    return dueUs > 0 && dueUs !== probedDueUs && now - dueUs >= this.afterMs * 1000;
  }

  private probe(threadId: number, askedUs: number): void {
    this.probing = true;
    const timeoutMs = threadId === MAIN_THREAD_ID ? PROBE_TIMEOUT_MS : WORKER_PROBE_TIMEOUT_MS;
    void this.evaluate(LOOP_PROBE_EXPRESSION, timeoutMs, threadId).then((value) => {
      this.probing = false;
      const found = parseLoopProbe(value, askedUs, nowUs());
      if (!found || found.frames.length === 0) return; // the block was over by then
      const probe = threadId === MAIN_THREAD_ID ? found : { ...found, tid: threadId };
      if (this.kept.length >= KEPT_PROBES) this.kept.shift();
      this.kept.push(probe);
      this.onProbe(probe);
    });
  }
}

/** A bucket of probes: refilled `perSecond` a second, up to `burst`. */
class ProbeBucket {
  private tokens: number;
  private atUs = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes a probe, if there is one at `nowUs`; `share` of the refill rate since the last call (≤ 1). */
  take(nowUs: number, share = 1): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((nowUs - this.atUs) / 1e6) * this.perSecond * share);
    this.atUs = nowUs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
