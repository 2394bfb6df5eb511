// An inspector session connected to the main thread for one question, from the watchdog: the
// main thread's own probes (loop-probe.ts) and the workers' relayed through it
// (worker-probe.ts). Connected only while asked — a prototype that kept its session attached to
// the workers had the program print "Waiting for the debugger to disconnect…" as it exited —
// and always let go: on the answer, on the timeout, or when connecting fails.
import type { Session } from 'node:inspector';
import { inspector } from '../lazy-builtins';

/**
 * Connects a session to the main thread and hands it to `ask` with `answer`, which settles the
 * result and disconnects (later calls are ignored); after `timeoutMs` without an answer, or
 * when anything throws, resolves undefined.
 */
export function askMainThread(timeoutMs: number, ask: (session: Session, answer: (value: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve) => {
    let session: Session | undefined;
    let settled = false;
    const answer = (value: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        session?.disconnect();
      } catch {}
      resolve(value);
    };
    const timer = setTimeout(() => answer(undefined), timeoutMs);
    try {
      session = new (inspector().Session)();
      session.connectToMainThread();
      ask(session, answer);
    } catch {
      answer(undefined);
    }
  });
}
