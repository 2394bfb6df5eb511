// The recorder as it runs in one thread of a program: its ring, the sources writing into it,
// triggers, and (on the main thread) the watchdog worker that serves the control socket and
// writes snapshots. Every entry point swallows its own errors: the program must never notice
// the recorder beyond a little CPU.
import type { Worker } from 'node:worker_threads';
import type { EventSource, RuleHooks, SnapshotProfiles, SourceContext } from './contracts';
import type { TraceEvent } from '../format/trace-event';
import type { ResolvedOptions } from './config';
import { nowUs, clockSync } from './clock';
import { Ring } from './ring/index';
import { H_I32_RULE_SNAPSHOTS, HEADER_BYTES } from './ring/layout';
import { CoreKind } from './core-kinds';
import { createDefaultSources } from './sources-bridge';
import { createLoopTickWork } from './loop-tick-work';
import { createRedactor } from './redact';
import { gatherFacts, startFacts, type ProcessFacts, type StartFacts } from './snapshot/facts';
import type { LoopProbe, ThreadCopy } from './snapshot/build';
import { writeSnapshot, type WrittenFile } from './snapshot/write-file';
import { claimAtExit, newWriteClaim } from './snapshot/write-claim';
import { ensureRegistryDirectory } from './control/registry-path';
import { removeRegistryEntry } from './control/registry';
import { NO_RULES, Rules, type RuleFiring } from './triggers/rules';
import { installCrashTriggers, installSignalTrigger } from './triggers/crash';
import { WorkerRingDirectory, announceWorkerRing, type LoopNews, type WorkerLane } from './threads/worker-rings';
import { inheritRecorder } from './threads/children';
import { copyLiveRing, oldestRecordTsUs } from './ring/index';
import { isMainThreadCheap, workerThreads } from './lazy-builtins';
import { CLAIM_F64_ANSWERED_US, CLAIM_I32_OWNER, WATCHDOG_MARKER, type FromWatchdog, type ToWatchdog, type Trigger, type WatchdogData } from './watchdog/messages';
import { markWatchdogConstruction, setWatchdogThreadId } from './watchdog/identity';
import { guardHook } from './guard';
import { installSnapshotPoints, uninstallSnapshotPoints, armSnapshotPoint, disarmSnapshotPoint } from './snapshot-points';

const HEARTBEAT_MS = 100;
/** Probes of event-loop blocks kept on this thread: the last few seconds' blocks (a snapshot at exit is what needs them). */
const KEPT_LOOP_PROBES = 16;
/** A worker tells the watchdog of its loop's blocks, and of its work, at most this often (each kind). */
const WORKER_NEWS_MS = 5_000;
/**
 * The watchdog thread (control socket, snapshots of a stuck main thread) starts on a timer
 * created by the preload, so it runs right after the program's first tick — before any timer
 * the program sets — and never in a program that ends within its first tick (`node -e 0`, a
 * short script): a worker thread costs tens of ms of CPU to start (an empty Node worker ~70 ms
 * on the VMs measured here) and delays exit while it boots.
 * Crash and exit snapshots need no watchdog (written synchronously on the main thread), and a
 * snapshot asked for before the timer fires starts the watchdog at once.
 */
const WATCHDOG_START_DELAY_MS = 0;
const DEBUG = process.env.FLIGHT_RECORDER_DEBUG === '1';

export type SnapshotResult = WrittenFile;

/** Prints recorder diagnostics only when FLIGHT_RECORDER_DEBUG=1: the program's stderr is not ours. */
export function debugLog(message: string): void {
  if (DEBUG) {
    try {
      process.stderr.write(`flight-recorder: ${message}\n`);
    } catch {}
  }
}

export class RecorderRuntime {
  readonly ring: Ring;
  readonly tid: number;
  private readonly isMain: boolean;
  private readonly startFacts: StartFacts;
  private gatheredFacts: ProcessFacts | null = null;
  private readonly headerI32: Int32Array;
  private readonly cleanups: Array<() => void> = [];
  private readonly sources: EventSource[] = [];
  private readonly rules: Rules;
  private watchdog: Worker | null = null;
  private watchdogState: 'off' | 'scheduled' | 'started' = 'off';
  private watchdogTimer: NodeJS.Timeout | undefined;
  private watchdogReady: Promise<void> = Promise.resolve();
  /** Any source makes events at snapshot time (CPU profile windows): only then does a snapshot run source code on this thread. */
  private hasSnapshotSources = false;
  private registryDir: string | null = null;
  private nextRequestId = 1;
  /** The watchdog's newest probes of event-loop blocks, for the snapshots this thread writes at exit. */
  private readonly loopProbes: LoopProbe[] = [];
  private readonly pendingSnapshots = new Map<number, { resolve: (r: SnapshotResult) => void; reject: (e: Error) => void; trigger: Trigger; out: string; written: Int32Array }>();
  private workerRings: WorkerRingDirectory | null = null;
  /** A worker's lane on the bus between threads (worker-rings.ts), once announced. */
  private workerLane: WorkerLane | undefined = undefined;
  private reportedHookErrors = new Set<string>();
  private stopped = false;
  private keepAliveRequests = 0;
  lastSnapshotPath: string | undefined;

  constructor(readonly options: ResolvedOptions, private readonly recorderPath: string | undefined, isMain = isMainThreadCheap()) {
    this.isMain = isMain;
    this.tid = isMain ? 0 : workerThreads().threadId;
    this.ring = new Ring(isMain ? options.maxBytes : workerRingBytes(options.maxBytes));
    this.headerI32 = new Int32Array(this.ring.buffer, 0, HEADER_BYTES / 4);
    this.startFacts = startFacts();
    this.rules = new Rules(options, () => this.claimRuleSnapshot(), (firing) => this.onRule(firing));
    // Each block recorded arms the watchdog's probe of the next ones (watchdog/loop-probe.ts).
    if (isMain && options.loopBlockStacks) {
      this.rules.onLoopBlocked = () => this.postToWatchdog({ type: 'loopBlocked' });
      this.rules.onLoopActive = () => this.postToWatchdog({ type: 'loopActive' });
    }
  }

  /**
   * Facts every snapshot carries (argv redacted, host name, ...): gathered when first needed
   * (watchdog start, a snapshot) from what the process was started with, not at preload time.
   */
  get facts(): ProcessFacts {
    if (!this.gatheredFacts) this.gatheredFacts = gatherFacts(this.options, this.startFacts);
    return this.gatheredFacts;
  }

  /** Starts everything. Each part that fails is skipped; the rest keeps working. */
  start(): void {
    this.ring.write(CoreKind.processStart, nowUs(), 0, 0, this.startFacts.ppid, 0, 0, 0);
    this.attempt('sources', () => this.installSources());
    if (this.isMain) {
      this.attempt('watchdog', () => this.scheduleWatchdog());
      this.attempt('triggers', () => this.installTriggers());
      this.attempt('children', () => {
        if (this.options.followChildren && this.recorderPath) inheritRecorder(this.recorderPath);
      });
      this.attempt('timers', () => this.startTimers());
      this.attempt('snapshot points', () => {
        installSnapshotPoints((request) => this.snapshot({ reason: request.reason, source: request.source, location: request.location, ts: nowUs() }).then((r) => r.path));
        this.cleanups.push(uninstallSnapshotPoints);
      });
    } else {
      this.attempt('worker lane', () => {
        const lane = announceWorkerRing(this.tid, `worker ${this.tid}`, this.ring.buffer);
        this.workerLane = lane;
        this.cleanups.push(() => lane.close());
      });
      const onExit = () => this.stop();
      process.once('exit', onExit);
      this.cleanups.push(() => process.removeListener('exit', onExit));
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    for (const cleanup of this.cleanups.splice(0).reverse()) this.attempt('stop', cleanup);
    const watchdog = this.watchdog;
    this.watchdog = null;
    if (watchdog) void watchdog.terminate().catch(() => undefined);
    if (this.registryDir) removeRegistryEntry(this.registryDir, process.pid);
    this.workerRings?.close();
    for (const pending of this.pendingSnapshots.values()) pending.reject(new Error('the recorder stopped'));
    this.pendingSnapshots.clear();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private attempt(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      debugLog(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * A worker's rules: none act, but with loopBlockStacks its loop's news goes out on its lane, as
   * the main thread's goes to the watchdog (the watchdog looks for where its next blocks are
   * spent). Each kind at most every WORKER_NEWS_MS: the bus delivers every message to every
   * thread on it (a pool's workers block with every long task), and a block arms the watchdog
   * for 30 s, so one word every few seconds keeps it armed.
   */
  private workerRules(): RuleHooks {
    if (!this.options.loopBlockStacks) return NO_RULES;
    const lastToldUs = { loopBlocked: -Infinity, loopActive: -Infinity };
    const tell = (news: LoopNews) => {
      const now = nowUs();
      if (now - lastToldUs[news] < WORKER_NEWS_MS * 1000) return;
      lastToldUs[news] = now;
      this.workerLane?.tell(news);
    };
    return { ...NO_RULES, loopBlocked: () => tell('loopBlocked'), loopActive: () => tell('loopActive') };
  }

  private installSources(): void {
    const redactor = createRedactor(this.options.redact);
    const tickWork = createLoopTickWork();
    const context: SourceContext = {
      ring: this.ring,
      // Rules act on the main thread's requests; a worker's lane records but does not trigger.
      rules: this.tid === 0 ? this.rules : this.workerRules(),
      guard: (name, hook) => this.guard(name, hook),
      redactUrl: redactor.url,
      appendUrl: (url) => this.ring.appendString(url),
      redactHeaders: redactor.headers,
      tid: this.tid,
      onLoopTick: tickWork.onLoopTick,
      runLoopTickWork: tickWork.runLoopTickWork,
    };
    // CPU samples are the main thread's: a snapshot takes the sources' windows from the thread
    // that answers it, and a worker answers none, so a worker sampling itself paid V8's sampler
    // (4–9 % of its CPU at 1 ms in the benchmarks) for stacks no snapshot held.
    const options = this.isMain ? this.options : { ...this.options, cpuSamplingIntervalUs: 0 };
    for (const source of createDefaultSources(options)) {
      try {
        const uninstall = source.install(context);
        this.sources.push(source);
        this.cleanups.push(uninstall);
        if (source.snapshotEvents || source.snapshotProfiles) this.hasSnapshotSources = true;
      } catch (error) {
        this.noteHookError(source.name, error);
      }
    }
  }

  guard<F extends (...args: never[]) => unknown>(name: string, hook: F): F {
    return guardHook(hook, (error) => this.noteHookError(name, error));
  }

  /** Counted in the ring header; the first error of each hook is also logged into the ring. */
  noteHookError(name: string, error: unknown): void {
    try {
      this.ring.noteHookError();
      if (this.reportedHookErrors.has(name) || this.reportedHookErrors.size > 100) return;
      this.reportedHookErrors.add(name);
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      this.ring.write(CoreKind.userLog, nowUs(), 0, 0, 0, 0, this.ring.intern('flight-recorder'), this.ring.intern(`hook error in ${message}`));
      debugLog(`hook error in ${message}`);
    } catch {}
  }

  // ---- main thread only -------------------------------------------------------------------

  private scheduleWatchdog(): void {
    if (this.watchdogState !== 'off') return;
    this.watchdogState = 'scheduled';
    const timer = setTimeout(() => {
      this.watchdogTimer = undefined;
      this.attempt('watchdog', () => this.ensureWatchdog());
    }, WATCHDOG_START_DELAY_MS);
    timer.unref();
    this.watchdogTimer = timer;
  }

  /** Starts the watchdog now if it is only scheduled; returns it (null: none, or it failed). */
  private ensureWatchdog(): Worker | null {
    if (this.watchdogState === 'scheduled' && !this.stopped) {
      this.watchdogState = 'started';
      if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
      this.watchdogTimer = undefined;
      this.attempt('worker rings', () => {
        if (this.options.followWorkers) this.workerRings = new WorkerRingDirectory();
      });
      this.attempt('watchdog', () => this.startWatchdog());
    }
    return this.watchdog;
  }

  private startWatchdog(): void {
    const { Worker, isMainThread } = workerThreads();
    // A worker thread never starts a watchdog, whatever the cheap main-thread check said.
    if (!isMainThread) return;
    try {
      this.registryDir = ensureRegistryDirectory();
    } catch (error) {
      this.registryDir = null;
      debugLog(`no control channel: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!this.recorderPath) return;
    const data: WatchdogData = { [WATCHDOG_MARKER]: true, ring: this.ring.buffer, options: this.options, facts: this.facts, registryDir: this.registryDir };
    // Not `stdout: true`: piped worker streams keep the process alive. The watchdog silences its
    // own stdout, stderr and warnings instead (watchdog/worker-main.ts).
    markWatchdogConstruction(true);
    let worker: Worker;
    try {
      worker = new Worker(this.recorderPath, { workerData: data, name: 'flight-recorder watchdog', resourceLimits: watchdogResourceLimits(this.options.maxBytes) } as ConstructorParameters<typeof Worker>[1]);
    } finally {
      markWatchdogConstruction(false);
    }
    this.watchdog = worker;
    setWatchdogThreadId(worker.threadId);
    this.watchdogReady = new Promise((resolve) => {
      const done = () => resolve();
      worker.once('exit', done);
      worker.once('error', done);
      const onReady = (message: FromWatchdog) => {
        if (message?.type === 'ready') {
          worker.removeListener('message', onReady);
          if (message.error) debugLog(`control channel: ${message.error}`);
          done();
        }
      };
      worker.on('message', onReady);
    });
    worker.on('message', (message: FromWatchdog) => this.onWatchdogMessage(message));
    worker.on('error', (error) => debugLog(`watchdog failed: ${error.message}`));
    worker.on('exit', () => {
      if (this.watchdog === worker) {
        this.watchdog = null;
        setWatchdogThreadId(-1);
      }
      for (const pending of this.pendingSnapshots.values()) pending.reject(new Error('the watchdog thread exited'));
      this.pendingSnapshots.clear();
    });
    worker.unref(); // after the listeners: adding a 'message' listener refs the port again
  }

  /** Resolves once the control socket is listening (or could not be set up). Starts the watchdog if it is only scheduled. */
  whenReady(): Promise<void> {
    this.ensureWatchdog();
    return this.watchdogReady;
  }

  private onWatchdogMessage(message: FromWatchdog): void {
    try {
      switch (message.type) {
        case 'copy':
          this.answerCopy(message.requestId, message.claim);
          return;
        case 'snapshotDone': {
          const pending = this.pendingSnapshots.get(message.requestId);
          if (!pending) return;
          this.pendingSnapshots.delete(message.requestId);
          if (message.path) {
            this.lastSnapshotPath = message.path;
            pending.resolve({ path: message.path, bytes: message.bytes ?? 0, events: message.events ?? 0 });
          } else {
            const error = new Error(message.error ?? 'snapshot failed');
            (error as Error & { code?: string }).code = message.code;
            pending.reject(error);
          }
          return;
        }
        case 'snapshotWritten':
          this.lastSnapshotPath = message.path;
          return;
        case 'loopProbe':
          if (this.loopProbes.length >= KEPT_LOOP_PROBES) this.loopProbes.shift();
          this.loopProbes.push(message.probe);
          return;
        case 'arm':
          void armSnapshotPoint(message.url, message.lineNumber, message.columnNumber).then((result) =>
            this.postToWatchdog({ type: 'armed', requestId: message.requestId, ok: result.ok, ...(result.ok ? {} : { error: result.error }) }),
          );
          return;
        case 'disarm':
          void disarmSnapshotPoint(message.url, message.lineNumber).then((result) =>
            this.postToWatchdog({ type: 'armed', requestId: message.requestId, ok: true, removed: result.removed }),
          );
          return;
      }
    } catch (error) {
      this.noteHookError('watchdog message', error);
    }
  }

  private postToWatchdog(message: ToWatchdog): void {
    try {
      this.watchdog?.postMessage(message);
    } catch {}
  }

  /**
   * The main thread's whole share of a snapshot: say "I am not stuck" and hand over the
   * sources' snapshot-time events (none by default). The watchdog copies the ring itself
   * (a live copy, watchdog/worker-main.ts): copying 10 MiB here stalled the program 2-5 ms.
   */
  private answerCopy(requestId: number, claim: SharedArrayBuffer): void {
    // Noted first: a late answer means we were slow, not stuck.
    const startedUs = nowUs();
    new Float64Array(claim)[CLAIM_F64_ANSWERED_US] = startedUs;
    // The watchdog may have given up on us (and probed where we were): then it needs nothing.
    if (Atomics.compareExchange(new Int32Array(claim), CLAIM_I32_OWNER, 0, 1) !== 0) return;
    // A block that ended just before this answer and that the tick has not reported yet: it
    // goes into the ring now, and the watchdog copies the ring again (it copied before asking,
    // and sees the records written since).
    this.flushSources();
    const parts = this.sourceSnapshotParts();
    this.postToWatchdog({ type: 'copied', requestId, ...parts, mainThreadUs: nowUs() - startedUs });
  }

  /** Has each source write what it holds back (EventSource.flush). */
  private flushSources(): void {
    for (const source of this.sources) {
      if (!source.flush) continue;
      try {
        source.flush();
      } catch (error) {
        this.noteHookError(`${source.name}.flush`, error);
      }
    }
  }

  /**
   * What the sources hand a snapshot (the open GC window's events, CPU profile windows), for
   * the ring's window: from its oldest record (events older than that were overwritten, so a
   * profile reaching further back would claim a time the snapshot does not cover) to now.
   */
  private sourceSnapshotParts(): { extraEvents: TraceEvent[]; profiles?: SnapshotProfiles } {
    const extraEvents: TraceEvent[] = [];
    if (!this.hasSnapshotSources) return { extraEvents };
    const end = nowUs();
    const oldest = oldestRecordTsUs(this.ring.buffer);
    const start = Number.isFinite(oldest) ? Math.min(oldest, end) : end;
    const profiles: SnapshotProfiles = { startUs: start, endUs: end, tid: this.tid, windows: [] };
    for (const source of this.sources) {
      try {
        if (source.snapshotEvents) for (const event of source.snapshotEvents(start, end, process.pid, this.tid)) extraEvents.push(event);
        if (source.snapshotProfiles) profiles.windows.push(...source.snapshotProfiles(start, end));
      } catch (error) {
        this.noteHookError(`${source.name} at snapshot time`, error);
      }
    }
    return profiles.windows.length > 0 ? { extraEvents, profiles } : { extraEvents };
  }

  /** An asynchronous snapshot through the watchdog (or synchronously here if there is none). */
  snapshot(request: { reason: string; source: string; ts: number; out?: string; location?: string; rule?: string; value?: number; threshold?: number; error?: Trigger['error'] }, keepAlive = false): Promise<SnapshotResult> {
    const { out, ...rest } = request;
    const trigger: Trigger = rest;
    const outDir = out ?? this.options.out;
    if (this.stopped) return Promise.reject(new Error('the recorder is stopped'));
    // Asked for on this thread (a rule, the API): what the sources hold back goes into the ring
    // before the watchdog copies it — a slow request's rule fires before the tick reports the block.
    this.flushSources();
    if (this.isMain) this.ensureWatchdog();
    if (!this.watchdog) {
      try {
        return Promise.resolve(this.snapshotSync(trigger, outDir));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const requestId = this.nextRequestId++;
    const watchdog = this.watchdog;
    // A snapshot the program awaits (API) keeps the process alive until it is written, as any
    // pending I/O would; triggered ones do not (the exit listener writes them if need be).
    if (keepAlive) {
      this.keepAliveRequests++;
      watchdog.ref();
    }
    const settle = () => {
      if (!keepAlive) return;
      this.keepAliveRequests--;
      if (this.keepAliveRequests === 0) watchdog.unref();
    };
    const written = newWriteClaim();
    return new Promise<SnapshotResult>((resolve, reject) => {
      this.pendingSnapshots.set(requestId, {
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        trigger,
        out: outDir,
        written: new Int32Array(written),
      });
      this.postToWatchdog({ type: 'snapshot', requestId, trigger, out: outDir, written });
    });
  }

  /** Everything on this thread, synchronously: only when the process is about to exit. */
  snapshotSync(trigger: Trigger, outDir = this.options.out): SnapshotResult {
    this.flushSources();
    const bytes = new Uint8Array(this.ring.layout.totalBytes);
    this.ring.copyWindow(bytes);
    const threads: ThreadCopy[] = [{ tid: 0, name: 'main', bytes }];
    for (const worker of this.workerRings?.list() ?? []) {
      try {
        const copy = new Uint8Array(worker.ring.byteLength);
        copyLiveRing(worker.ring, copy);
        threads.push({ tid: worker.tid, name: worker.name + (worker.exited ? ' (exited)' : ''), bytes: copy });
      } catch {}
    }
    const written = writeSnapshot({
      facts: this.facts, options: this.options, trigger, threads, ...this.sourceSnapshotParts(), loopProbes: this.loopProbes,
      clockSync: clockSync(), hookErrors: this.ring.hookErrors, usedBytes: this.ring.usedBytes,
    }, outDir);
    this.lastSnapshotPath = written.path;
    return written;
  }

  /**
   * The process is exiting and the watchdog dies with it: snapshots asked for but not yet
   * written are written here, synchronously, rather than lost. One the watchdog has written
   * (its word still on the way: the exit came first), or is putting in place, is not written
   * again — a second file of the same moment; one the watchdog is still encoding is written
   * here, and the watchdog's file thrown away (snapshot/write-claim.ts decides).
   */
  private flushPendingSnapshots(): void {
    const pending = [...this.pendingSnapshots.values()];
    this.pendingSnapshots.clear();
    for (const request of pending) {
      if (!claimAtExit(request.written)) continue;
      try {
        request.resolve(this.snapshotSync(request.trigger, request.out));
      } catch (error) {
        request.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private installTriggers(): void {
    this.cleanups.push(
      installCrashTriggers(this.options, {
        snapshotSync: (trigger) => {
          this.attempt('crash snapshot', () => void this.snapshotSync(trigger));
        },
        snapshotAsync: (trigger) => void this.snapshot(trigger).catch(() => undefined),
        now: nowUs,
        recordExit: (code) => this.ring.write(CoreKind.processExit, nowUs(), 0, 0, code, 0, 0, 0),
        onExit: () => {
          this.flushPendingSnapshots();
          if (this.registryDir) removeRegistryEntry(this.registryDir, process.pid);
        },
      }),
    );
    this.cleanups.push(
      installSignalTrigger(this.options.triggers.signal, () => void this.snapshot({ reason: `signal ${this.options.triggers.signal}`, source: 'signal', ts: nowUs() }).catch(() => undefined)),
    );
  }

  private claimRuleSnapshot(): boolean {
    if (Atomics.load(this.headerI32, H_I32_RULE_SNAPSHOTS) >= this.options.triggers.maxSnapshots) return false;
    Atomics.add(this.headerI32, H_I32_RULE_SNAPSHOTS, 1);
    return true;
  }

  private onRule(firing: RuleFiring): void {
    const ts = nowUs();
    const take = () =>
      void this.snapshot({
        reason: firing.rule, source: 'rule', ts, rule: firing.rule, value: firing.value, threshold: firing.threshold,
        ...(firing.detail ? { location: firing.detail } : {}),
      }).catch(() => undefined);
    const tailMs = this.options.triggers.tailMs;
    if (tailMs > 0) setTimeout(take, tailMs).unref();
    else take();
  }

  /** The heartbeat the unresponsive rule watches (live metrics need no timer: the watchdog reads them from the ring). */
  private startTimers(): void {
    if (this.options.triggers.unresponsiveMs > 0) {
      this.ring.beat();
      const heartbeat = setInterval(() => this.ring.beat(), HEARTBEAT_MS);
      heartbeat.unref();
      this.cleanups.push(() => clearInterval(heartbeat));
    }
  }

  // ---- user annotations ---------------------------------------------------------------------

  log(category: string, message: string): void {
    this.ring.write(CoreKind.userLog, nowUs(), 0, 0, 0, 0, this.ring.intern(category), this.ring.intern(message));
  }

  region(name: string, startUs: number, endUs: number): void {
    this.ring.write(CoreKind.userRegion, startUs, endUs - startUs, 0, 0, 0, this.ring.intern(name), 0);
  }

  taskBegin(name: string, id: number): void {
    this.ring.write(CoreKind.userTaskBegin, nowUs(), 0, id, 0, 0, this.ring.intern(name), 0);
  }

  taskEnd(name: string, id: number): void {
    this.ring.write(CoreKind.userTaskEnd, nowUs(), 0, id, 0, 0, this.ring.intern(name), 0);
  }
}

/** Each worker thread's ring: a quarter of the main ring (at least the minimum). */
export function workerRingBytes(maxBytes: number): number {
  return Math.max(64 * 1024, Math.floor(maxBytes / 4));
}

/**
 * The watchdog's heap limits. A bare worker costs ~10 MiB whatever the limits; these keep what
 * a snapshot adds small: an 8 MiB young generation (decoding streams batch by batch, so objects
 * die young) and an old generation bounded well above what decoding a full ring plus the CPU
 * profile windows (≤ 4 MiB of JSON) keeps alive, so a big snapshot cannot run it out of memory.
 * Not smaller: each scavenge of the watchdog's heap runs on V8's helper threads too, at the
 * program's priority (only the watchdog thread itself runs below it), and on two cores those
 * helpers take the core the program's main thread wakes on. With 4 MiB a 10 MiB ring's
 * snapshot scavenged twice as often and held the program's event loop late by 6–29 ms at p99
 * (nine runs of 50), against 4–11 ms with 8 MiB (four runs), for ~3 MiB more at the peak
 * (docs/benchmarks.md, finding 2).
 */
export function watchdogResourceLimits(maxBytes: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number; stackSizeMb: number } {
  return { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 + Math.ceil(maxBytes / 1048576), stackSizeMb: 2 };
}
