// The watchdog thread: owns the control socket and writes snapshots. It copies the main
// thread's ring itself, while the main thread keeps running (a live copy: the few records
// written during the copy are dropped from it, ring/reader.ts), and asks the main thread only
// for its sources' snapshot-time events (CPU profile windows; none by default) — an answer
// that also shows it is not stuck. When no answer comes within MAIN_ANSWER_MS it asks the
// inspector where the main thread is stuck. Decoding, JSON encoding and the file write all
// happen here: the program's share of a snapshot is receiving and answering one message.
// A main thread whose event loop is blocked already when the request comes (its tick overdue:
// loop-tick.ts) gets BLOCKED_ANSWER_MS to answer before the probe, not MAIN_ANSWER_MS (a snapshot
// of a hung process ~175 ms sooner), and when the probe finds it stuck, the snapshot shows the
// block still under way.
//
// Concurrency: snapshots are taken one at a time; up to MAX_QUEUED requests wait their turn,
// further ones are answered `busy` at once.
import type { ControlRequest, ControlResponse, RecorderStatus, LiveMetrics } from '../../format/control';
import { nowUs, clockSync } from '../clock';
import { copyLiveRing, oldestRecordTsUs, readHeader } from '../ring/index';
import { ResidencyKeeper } from './keep-resident';
import { HEADER_BYTES, RECORD_BYTES, H_HOOK_ERRORS, H_I32_HEARTBEAT, H_I32_RULE_SNAPSHOTS, H_TOTAL_RECORDS } from '../ring/layout';
import { loopBlockThresholdMs } from '../sources/index';
import { loopBlockedAt, loopTickDueUs } from './loop-tick';
import { scanLiveMetrics } from './live-scan';
import type { SnapshotInput, ThreadCopy } from '../snapshot/build';
import type { SnapshotProfiles } from '../contracts';
import type { TraceEvent } from '../../format/trace-event';
import { programFrame, type StackFrame } from '../../format/stack';
import { writeSnapshot, type WrittenFile } from '../snapshot/write-file';
import { watchdogGate, type PublishGate } from '../snapshot/write-claim';
import { startControlServer } from '../control/server';
import { registryEntryFor, sweepStaleEntries, writeRegistryEntry } from '../control/registry';
import { registrySocketPath } from '../control/registry-path';
import { WorkerRingDirectory } from '../threads/worker-rings';
import { probeMainThread } from './stuck-probe';
import { evaluateOnThread, LoopBlockProber, type EvaluateOnThread } from './loop-probe';
import { WORKER_GONE } from './worker-probe';
import { workerBlocksUnderWay } from './worker-blocks-under-way';
import { judgeProbe } from './judge-probe';
import { lowerThisThreadsPriority } from './low-priority';
import { workerThreads } from '../lazy-builtins';
import { CLAIM_BYTES, CLAIM_F64_ANSWERED_US, CLAIM_I32_OWNER, type FromWatchdog, type ToWatchdog, type Trigger, type WatchdogData } from './messages';

export const MAIN_ANSWER_MS = 200;
/** What a blocked loop still gets: enough for one just coming back to answer. */
export const BLOCKED_ANSWER_MS = 25;
/** The main thread claimed the buffer just as we gave up: its copy takes a few ms at most. */
const MAIN_FINISH_COPY_MS = 2_000;
const SPARE_KEEP_MS = 2_000;
// Normally a few ms; generous because a loaded machine delays the interrupt.
const PROBE_TIMEOUT_MS = 2_000;
/** A status request waits at most this for where a blocked main thread is (busy in native code: no answer). */
const STATUS_PROBE_TIMEOUT_MS = 300;
const ARM_TIMEOUT_MS = 5_000;
const MAX_QUEUED = 4;

class BusyError extends Error {}

export function runWatchdog(data: WatchdogData): void {
  const port = workerThreads().parentPort;
  if (!port) return;
  silenceThread();
  lowerThisThreadsPriority();
  const { ring, options, facts } = data;
  // The main thread's ring and each worker thread's, resident ahead of their writers.
  const residency = new ResidencyKeeper();
  residency.add(ring);
  const layout = readHeader(ring).layout;
  const header = new Float64Array(ring, 0, HEADER_BYTES / 8);
  const headerI32 = new Int32Array(ring, 0, HEADER_BYTES / 4);
  const workers = new WorkerRingDirectory(
    (workerRing) => residency.add(workerRing),
    // A worker's block arms the probe, its work has it look, as the main thread's (loop-probe.ts).
    (news) => (news === 'loopBlocked' ? prober?.arm() : prober?.watch()),
  );
  const post = (message: FromWatchdog) => port.postMessage(message);
  let nextRequestId = 1;
  const waiting = new Map<number, (reply: ToWatchdog) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  let queued = 0;
  let writing = false;
  let snapshotsWritten = 0;
  // Where the main thread is during its event-loop blocks, armed by each block it records
  // (without the event-loop source nothing arms it: its tick is what says a block is under way).
  // A worker a probe finds gone (the loop probe's or a snapshot's) ended without saying so
  // (worker.terminate()): no longer watched, and its lane named ended.
  const evaluate: EvaluateOnThread = (expression, timeoutMs, threadId) =>
    evaluateOnThread(expression, timeoutMs, threadId).then((value) => {
      if (value === WORKER_GONE) workers.markExited(threadId);
      return value;
    });
  const prober = options.loopBlockStacks
    ? new LoopBlockProber(header, loopBlockThresholdMs(options), (probe) => post({ type: 'loopProbe', probe }), evaluate, () => workers.liveHeaders())
    : undefined;
  prober?.startSentinel();

  function waitForReply(requestId: number, timeoutMs: number): Promise<ToWatchdog | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      waiting.set(requestId, (reply) => {
        clearTimeout(timer);
        waiting.delete(requestId);
        resolve(reply);
      });
    });
  }

  // The copy buffer. Kept for SPARE_KEEP_MS after a snapshot so a burst of snapshots maps its
  // pages once; then released, so memory returns to maxBytes (the pages return once this
  // thread's GC collects it). Only this thread writes it: a plain ArrayBuffer.
  let spare: Uint8Array | null = null;
  let spareTimer: NodeJS.Timeout | undefined;
  function copyBuffer(bytes: number): Uint8Array {
    const buffer = spare && spare.byteLength === bytes ? spare : new Uint8Array(bytes);
    spare = buffer;
    return buffer;
  }
  function keepSpareForAWhile(): void {
    if (spareTimer) clearTimeout(spareTimer);
    // Only a burst (another snapshot already waiting) reuses it at once; otherwise it is let go
    // soon: holding maxBytes more for a minute broke the memory bound.
    if (queued > 1) return;
    spareTimer = setTimeout(() => (spare = null), SPARE_KEEP_MS);
    spareTimer.unref?.();
  }

  async function take(trigger: Trigger, out: string, gate?: PublishGate): Promise<WrittenFile> {
    writing = true;
    try {
      const requestId = nextRequestId++;
      const claim = new SharedArrayBuffer(CLAIM_BYTES);
      const asked = Date.now();
      const askedUs = nowUs();
      post({ type: 'copy', requestId, claim });
      // The ring as it is now, copied while the main thread goes on (it only answers a message).
      const mainBytes = copyBuffer(layout.totalBytes);
      const recordsBeforeCopy = header[H_TOTAL_RECORDS] ?? 0;
      copyLiveRing(ring, mainBytes);
      let usedBytes = usedBytesOf(ring);
      const tickDueUs = loopTickDueUs(header);
      const answerLimitMs = loopBlockedAt(tickDueUs, askedUs) ? BLOCKED_ANSWER_MS : MAIN_ANSWER_MS;
      let reply = await waitForReply(requestId, answerLimitMs);
      // Settled once: the main thread answered (late, perhaps) or we gave up waiting for it.
      const gaveUp = !reply && Atomics.compareExchange(new Int32Array(claim), CLAIM_I32_OWNER, 0, 2) === 0;
      if (!reply && !gaveUp) reply = await waitForReply(requestId, MAIN_FINISH_COPY_MS);
      let stuck: SnapshotInput['stuck'];
      let slow: SnapshotInput['slow'];
      let extraEvents: TraceEvent[] = [];
      let profiles: SnapshotProfiles | undefined;
      let mainThreadMs: number | undefined;
      if (reply && reply.type === 'copied') {
        // Records written since the copy: copied again. Among them may be a block that ended
        // before the request — reported by the main thread's answer (a flush), or by its tick
        // when that ran between this copy and the answer (a program descheduled right after
        // the block: the answer's flush then found nothing, and the block was missing).
        if ((header[H_TOTAL_RECORDS] ?? 0) !== recordsBeforeCopy) {
          copyLiveRing(ring, mainBytes);
          usedBytes = usedBytesOf(ring);
        }
        extraEvents = reply.extraEvents;
        profiles = reply.profiles;
        mainThreadMs = reply.mainThreadUs / 1000;
      } else {
        const stuckTs = nowUs();
        const probe = await probeMainThread(PROBE_TIMEOUT_MS);
        const verdict = judgeProbe(probe, new Float64Array(claim)[CLAIM_F64_ANSWERED_US] ?? 0, askedUs, Date.now() - asked);
        if (verdict.stuck) {
          // The tick still due as it was: the loop has not come back since, the block goes on.
          const seenUs = nowUs();
          const thresholdMs = loopBlockThresholdMs(options);
          const blocked = tickDueUs > 0 && loopTickDueUs(header) === tickDueUs && seenUs - tickDueUs >= thresholdMs * 1000
            ? { startUs: tickDueUs, endUs: seenUs, thresholdMs } : undefined;
          stuck = { ts: stuckTs, frames: probe.frames, waitedMs: Date.now() - asked, ...(blocked ? { blocked } : {}), ...(probe.error ? { error: probe.error } : {}) };
        } else {
          slow = { ts: stuckTs, ...verdict.slow };
        }
      }
      // A worker whose loop has not come back: its block has no record yet (its tick writes one
      // once the loop returns); the snapshot shows it under way, and where the worker is. Asked
      // before the lanes are copied (a worker found gone is named so), and kept only if its loop
      // is still away as they are. Only with loopBlockStacks: the inspector is what tells a stuck
      // worker from an ended one.
      const stuckWorkers = options.loopBlockStacks ? await workerBlocksUnderWay(workers.liveHeaders(), prober?.probes() ?? [], evaluate) : [];
      const threads: ThreadCopy[] = [{ tid: 0, name: 'main', bytes: mainBytes }];
      for (const worker of workers.list()) {
        try {
          const bytes = new Uint8Array(worker.ring.byteLength);
          copyLiveRing(worker.ring, bytes);
          threads.push({ tid: worker.tid, name: worker.name + (worker.exited ? ' (exited)' : ''), bytes });
        } catch {}
      }
      const workerBlocks = stuckWorkers.filter((block) => block.stillAway());
      const copiedAt = Date.now();
      const written = writeSnapshot(
        { facts, options, trigger, threads, extraEvents, profiles, stuck, slow, loopProbes: prober?.probes(), workerBlocksUnderWay: workerBlocks, clockSync: clockSync(), hookErrors: header[H_HOOK_ERRORS] ?? 0, usedBytes },
        out, new Date(), (metadata) => {
          // Decoding and encoding are one pass now: "decode" is their sum.
          // mainThread: the program's share of this snapshot (answering the watchdog), when it answered.
          // answerLimit: how long the main thread was given to answer before the probe.
          if (metadata.recorder) metadata.recorder.timingsMs = { copy: copiedAt - asked, decode: Date.now() - copiedAt, answerLimit: answerLimitMs, ...(mainThreadMs === undefined ? {} : { mainThread: mainThreadMs }) };
        },
        gate,
      );
      keepSpareForAWhile();
      snapshotsWritten++;
      post({ type: 'snapshotWritten', path: written.path, source: trigger.source });
      return written;
    } finally {
      writing = false;
    }
  }

  function enqueue(trigger: Trigger, out: string, gate?: PublishGate): Promise<WrittenFile> {
    if (queued >= MAX_QUEUED) return Promise.reject(new BusyError(`busy: ${queued} snapshots are already being written or waiting`));
    queued++;
    const result = queue.then(() => take(trigger, out, gate));
    queue = result.catch(() => undefined).finally(() => queued--);
    return result;
  }

  // Where the blocked main thread is, for status: looked up once per block (by its tick's due
  // time), from the loop probe's own find when it made one in this block, else probed now.
  // Requests during the same block share one lookup (the promise is kept).
  let blockedIn: { dueUs: number; frame: Promise<StackFrame | undefined> } | undefined;
  function whereBlocked(tickDueUs: number): Promise<StackFrame | undefined> {
    if (blockedIn?.dueUs === tickDueUs) return blockedIn.frame;
    const found = prober?.probes().find((probe) => probe.tid === undefined && probe.ts >= tickDueUs);
    const frames = found ? Promise.resolve(found.frames) : probeMainThread(STATUS_PROBE_TIMEOUT_MS).then((probe) => probe.frames);
    blockedIn = { dueUs: tickDueUs, frame: frames.then(programFrame) };
    return blockedIn.frame;
  }

  async function status(): Promise<RecorderStatus> {
    const info = readHeader(ring);
    const oldest = oldestRecordTsUs(ring);
    const eventCount = Math.min(info.totalRecords, layout.recordCapacity);
    const now = nowUs();
    const tickDueUs = loopTickDueUs(header);
    const base: RecorderStatus = {
      pid: facts.pid,
      uptimeMs: Math.round(process.uptime() * 1000),
      maxBytes: options.maxBytes,
      usedBytes: usedBytesOf(ring),
      eventCount,
      droppedEvents: Math.max(0, info.totalRecords - layout.recordCapacity),
      windowMs: Number.isNaN(oldest) ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
      snapshotsWritten,
      hookErrors: header[H_HOOK_ERRORS] ?? 0,
      state: writing ? 'busy' : 'recording',
    };
    if (!loopBlockedAt(tickDueUs, now)) return base;
    // Where, when loop-block stacks are on (the option turns off looking at a blocked thread).
    const where = options.loopBlockStacks ? await whereBlocked(tickDueUs) : undefined;
    return { ...base, mainLoopBlockedMs: Math.round((now - tickDueUs) / 1000), ...(where ? { mainLoopBlockedIn: where } : {}) };
  }

  /** Scanned from the newest records of the ring (the sources' own counters). */
  function live(): LiveMetrics {
    const now = nowUs();
    return { ts: now, ...scanLiveMetrics(ring, now) };
  }

  async function forwardPoint(request: Extract<ControlRequest, { type: 'armSnapshotPoint' | 'disarmSnapshotPoint' }>): Promise<ControlResponse> {
    const requestId = nextRequestId++;
    if (request.type === 'armSnapshotPoint') {
      post({ type: 'arm', requestId, url: request.url, lineNumber: request.lineNumber, ...(request.columnNumber !== undefined ? { columnNumber: request.columnNumber } : {}) });
    } else {
      post({ type: 'disarm', requestId, url: request.url, lineNumber: request.lineNumber });
    }
    const reply = await waitForReply(requestId, ARM_TIMEOUT_MS);
    if (!reply || reply.type !== 'armed') return { id: request.id, ok: false, error: 'the main thread did not answer (busy or stuck); snapshot points need it', code: 'busy' };
    if (!reply.ok) return { id: request.id, ok: false, error: reply.error ?? 'could not arm the snapshot point', code: 'bad-request' };
    return { id: request.id, ok: true, type: request.type === 'armSnapshotPoint' ? 'armed' : 'disarmed' };
  }

  async function handle(request: ControlRequest): Promise<ControlResponse> {
    switch (request.type) {
      case 'status':
        return { id: request.id, ok: true, type: 'status', status: await status() };
      case 'live':
        return { id: request.id, ok: true, type: 'live', metrics: live() };
      case 'snapshot': {
        const trigger: Trigger = { reason: request.reason || 'manual', source: request.source || 'control', ts: nowUs(), ...(request.location ? { location: request.location } : {}) };
        try {
          const written = await enqueue(trigger, request.out || options.out);
          return { id: request.id, ok: true, type: 'snapshot', path: written.path, bytes: written.bytes, events: written.events };
        } catch (error) {
          if (error instanceof BusyError) return { id: request.id, ok: false, error: error.message, code: 'busy' };
          return { id: request.id, ok: false, error: `snapshot failed: ${error instanceof Error ? error.message : String(error)}`, code: 'io' };
        }
      }
      case 'armSnapshotPoint':
      case 'disarmSnapshotPoint':
        return forwardPoint(request);
    }
  }

  port.on('message', (message: ToWatchdog) => {
    if (message.type === 'snapshot') {
      // The main thread may write this one itself at exit: the claim decides which file is kept.
      enqueue(message.trigger, message.out, watchdogGate(new Int32Array(message.written))).then(
        (written) => {
          post({ type: 'snapshotDone', requestId: message.requestId, path: written.path, bytes: written.bytes, events: written.events });
        },
        (error: unknown) => post({ type: 'snapshotDone', requestId: message.requestId, error: error instanceof Error ? error.message : String(error), code: error instanceof BusyError ? 'busy' : 'io' }),
      );
      return;
    }
    if (message.type === 'loopBlocked') return prober?.arm();
    if (message.type === 'loopActive') return prober?.watch();
    if ('requestId' in message) waiting.get(message.requestId)?.(message);
  });

  watchHeartbeat();

  // The control channel last: a listed entry always has a socket that answers.
  const dir = data.registryDir;
  if (!dir) {
    post({ type: 'ready', socket: null });
    return;
  }
  sweepStaleEntries(dir);
  const socketPath = registrySocketPath(dir, facts.pid);
  startControlServer(socketPath, handle, () => undefined).then(
    () => {
      writeRegistryEntry(dir, registryEntryFor(facts, dir, options.out, options.maxBytes));
      post({ type: 'ready', socket: socketPath });
    },
    (error: unknown) => post({ type: 'ready', socket: null, error: error instanceof Error ? error.message : String(error) }),
  );

  /** Rule `unresponsiveMs`: the main thread's heartbeat has not moved for that long. */
  function watchHeartbeat(): void {
    const thresholdMs = options.triggers.unresponsiveMs;
    if (!(thresholdMs > 0)) return;
    let lastBeat = Atomics.load(headerI32, H_I32_HEARTBEAT);
    let lastChange = Date.now();
    let firedForThisStall = false;
    let nextAllowed = 0;
    const timer = setInterval(() => {
      const beat = Atomics.load(headerI32, H_I32_HEARTBEAT);
      const now = Date.now();
      if (beat !== lastBeat) {
        lastBeat = beat;
        lastChange = now;
        firedForThisStall = false;
        return;
      }
      const stalledMs = now - lastChange;
      if (firedForThisStall || stalledMs < thresholdMs || beat === 0 || now < nextAllowed) return;
      if (Atomics.load(headerI32, H_I32_RULE_SNAPSHOTS) >= options.triggers.maxSnapshots) return;
      firedForThisStall = true;
      nextAllowed = now + options.triggers.cooldownMs;
      Atomics.add(headerI32, H_I32_RULE_SNAPSHOTS, 1);
      const trigger: Trigger = { reason: 'unresponsive', source: 'watchdog', rule: 'unresponsiveMs', value: stalledMs, threshold: thresholdMs, ts: nowUs() };
      enqueue(trigger, options.out).catch(() => undefined);
    }, Math.max(20, Math.min(100, thresholdMs / 4)));
    timer.unref?.();
  }
}

/** Bytes of a ring that hold live data (as Ring#usedBytes counts them on the writing side). */
function usedBytesOf(ring: SharedArrayBuffer): number {
  const info = readHeader(ring);
  const eventCount = Math.min(info.totalRecords, info.layout.recordCapacity);
  return HEADER_BYTES + eventCount * RECORD_BYTES + Math.min(info.stringWriteWord, info.layout.stringWords) * 4;
}

/** Nothing this thread does may print into the program's output. */
function silenceThread(): void {
  try {
    const quiet = (() => true) as unknown as typeof process.stdout.write;
    process.stdout.write = quiet;
    process.stderr.write = quiet;
    (process as unknown as { noProcessWarnings: boolean }).noProcessWarnings = true;
  } catch {}
}
