// Worker threads record into rings of their own and share them with the process through a
// BroadcastChannel (a process-wide bus between threads): the main thread and the watchdog keep
// a directory of them, so one process snapshot holds every thread's lane (tid = threadId).
// A directory that opens late asks for a roll call and every lane announces itself again.
import type { BroadcastChannel } from 'node:worker_threads';
import { workerThreads } from '../lazy-builtins';

export const RINGS_CHANNEL = 'node-flight-recorder.rings';
/** Rings of exited workers are kept (the worker that died is the interesting one), up to this many. */
export const MAX_WORKER_RINGS = 32;

export type RingsMessage =
  | { type: 'ring'; tid: number; name: string; ring: SharedArrayBuffer }
  | { type: 'exit'; tid: number }
  | { type: 'rollcall' };

export interface WorkerRing {
  tid: number;
  name: string;
  ring: SharedArrayBuffer;
  exited: boolean;
}

export class WorkerRingDirectory {
  private readonly rings = new Map<number, WorkerRing>();
  private readonly channel: BroadcastChannel;

  /** `onNewRing` hears each worker ring the first time it is announced. */
  constructor(private readonly onNewRing?: (ring: SharedArrayBuffer) => void) {
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
      const known = this.rings.get(message.tid);
      if (known) known.exited = true;
    }
  }

  list(): WorkerRing[] {
    return [...this.rings.values()];
  }

  close(): void {
    try {
      this.channel.close();
    } catch {}
  }
}

/** The worker side: announce this thread's ring, again at every roll call, and the exit. */
export function announceWorkerRing(tid: number, name: string, ring: SharedArrayBuffer): () => void {
  const channel = new (workerThreads().BroadcastChannel)(RINGS_CHANNEL);
  const announce = () => channel.postMessage({ type: 'ring', tid, name, ring } satisfies RingsMessage);
  channel.onmessage = (event: unknown) => {
    if ((event as { data: RingsMessage }).data?.type === 'rollcall') announce();
  };
  channel.unref(); // after onmessage, which refs the channel again
  announce();
  return () => {
    try {
      channel.postMessage({ type: 'exit', tid } satisfies RingsMessage);
      channel.close();
    } catch {}
  };
}
