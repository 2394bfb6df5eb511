// Worker threads record into rings of their own and share them with the process through a
// BroadcastChannel (a process-wide bus between threads): the main thread and the watchdog keep
// a directory of them, so one process snapshot holds every thread's lane (tid = threadId).
// A directory that opens late asks for a roll call and every lane announces itself again.
// A worker also says on it when its loop has blocked or works (the watchdog then looks for
// where its next block is spent, as it does for the main thread's: watchdog/loop-probe.ts).
import type { BroadcastChannel } from 'node:worker_threads';
import { workerThreads } from '../lazy-builtins';
import { HEADER_BYTES } from '../ring/layout';

export const RINGS_CHANNEL = 'node-flight-recorder.rings';
/** Rings of exited workers are kept (the worker that died is the interesting one), up to this many. */
export const MAX_WORKER_RINGS = 32;

export type RingsMessage =
  | { type: 'ring'; tid: number; name: string; ring: SharedArrayBuffer }
  | { type: 'exit'; tid: number }
  | { type: 'rollcall' }
  | { type: 'loopBlocked'; tid: number }
  | { type: 'loopActive'; tid: number };

/** What a worker's lane says about its loop: a block was recorded, or work is under way. */
export type LoopNews = 'loopBlocked' | 'loopActive';

/** A running worker: its id and its ring's header (where its loop's tick notes its due time). */
export interface LiveWorker {
  tid: number;
  header: Float64Array;
}

export interface WorkerRing {
  tid: number;
  name: string;
  ring: SharedArrayBuffer;
  exited: boolean;
}

export class WorkerRingDirectory {
  private readonly rings = new Map<number, WorkerRing>();
  private readonly headers = new WeakMap<SharedArrayBuffer, Float64Array>();
  private readonly channel: BroadcastChannel;

  /**
   * `onNewRing` hears each worker ring the first time it is announced; `onLoopNews` what a
   * worker says of its loop.
   */
  constructor(
    private readonly onNewRing?: (ring: SharedArrayBuffer) => void,
    private readonly onLoopNews?: (news: LoopNews, tid: number) => void,
  ) {
    this.channel = new (workerThreads().BroadcastChannel)(RINGS_CHANNEL);
    this.channel.onmessage = (event: unknown) => this.receive((event as { data: RingsMessage }).data);
    this.channel.unref(); // after onmessage, which refs the channel again
    this.channel.postMessage({ type: 'rollcall' } satisfies RingsMessage);
  }

  private receive(message: RingsMessage): void {
    if (!message || typeof message !== 'object') return;
    if (message.type === 'ring' && message.ring instanceof SharedArrayBuffer) {
      if (this.rings.get(message.tid)?.ring !== message.ring) this.onNewRing?.(message.ring);
      this.rings.delete(message.tid);
      this.rings.set(message.tid, { tid: message.tid, name: message.name, ring: message.ring, exited: false });
      while (this.rings.size > MAX_WORKER_RINGS) {
        const oldest = [...this.rings.values()].find((r) => r.exited) ?? this.rings.values().next().value;
        if (!oldest) break;
        this.rings.delete(oldest.tid);
      }
    } else if (message.type === 'exit') {
      this.markExited(message.tid);
    } else if ((message.type === 'loopBlocked' || message.type === 'loopActive') && this.rings.get(message.tid)?.exited === false) {
      this.onLoopNews?.(message.type, message.tid);
    }
  }

  list(): WorkerRing[] {
    return [...this.rings.values()];
  }

  /** Notes that worker `tid` has ended, though it did not say so (terminated: the watchdog found it gone). */
  markExited(tid: number): void {
    const known = this.rings.get(tid);
    if (known) known.exited = true;
  }

  /** The running workers, each with its ring's header. */
  liveHeaders(): LiveWorker[] {
    const live: LiveWorker[] = [];
    for (const worker of this.rings.values()) {
      if (worker.exited) continue;
      let header = this.headers.get(worker.ring);
      if (!header) this.headers.set(worker.ring, (header = new Float64Array(worker.ring, 0, HEADER_BYTES / 8)));
      live.push({ tid: worker.tid, header });
    }
    return live;
  }

  close(): void {
    try {
      this.channel.close();
    } catch {}
  }
}

/** A worker's lane on the bus: says what its loop does, and says goodbye. */
export interface WorkerLane {
  tell(news: LoopNews): void;
  close(): void;
}

/** The worker side: announce this thread's ring, again at every roll call, and the exit. */
export function announceWorkerRing(tid: number, name: string, ring: SharedArrayBuffer): WorkerLane {
  const channel = new (workerThreads().BroadcastChannel)(RINGS_CHANNEL);
  const announce = () => channel.postMessage({ type: 'ring', tid, name, ring } satisfies RingsMessage);
  channel.onmessage = (event: unknown) => {
    if ((event as { data: RingsMessage }).data?.type === 'rollcall') announce();
  };
  channel.unref(); // after onmessage, which refs the channel again
  announce();
  let open = true;
  return {
    tell(news) {
      try {
        if (open) channel.postMessage({ type: news, tid } satisfies RingsMessage);
      } catch {}
    },
    close() {
      if (!open) return;
      open = false;
      try {
        channel.postMessage({ type: 'exit', tid } satisfies RingsMessage);
        channel.close();
      } catch {}
    },
  };
}
