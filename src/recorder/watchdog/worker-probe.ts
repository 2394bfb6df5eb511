// Where is a worker thread while its event loop is blocked? The same expression as for the
// main thread (loop-probe.ts), run in the worker by its own inspector. The watchdog cannot
// connect to a worker directly (Node connects a thread's session only to the main thread), so
// it goes through the main thread's inspector: the NodeWorker domain attaches a session to each
// worker, and relays messages to and from them. The worker runs the expression at its next
// interrupt check, on top of its blocked code's stack, as the main thread does.
// Everything is connected for the one probe and let go after it: NodeWorker.enable attaches to
// every worker of the process (the watchdog's own thread too, which is never asked), and the
// main thread handles the domain's messages — at an interrupt check when it runs JavaScript, from
// its loop when it idles — so a main thread stuck in native code delays the probe until it
// times out. A few milliseconds end to end on the machines measured (docs/benchmarks.md).
import { askMainThread } from './main-thread-session';

/** Node titles a worker's inspector target `[worker <threadId>]`, then its name when it has one. */
const WORKER_TITLE = /^\[worker (\d+)\]/;

/** The thread id in a worker target's title, or -1. */
export function threadIdOfWorkerTitle(title: unknown): number {
  const match = typeof title === 'string' ? WORKER_TITLE.exec(title) : null;
  return match ? Number(match[1]) : -1;
}

interface AttachedToWorker {
  params?: { sessionId?: unknown; workerInfo?: { title?: unknown } };
}
interface ReceivedFromWorker {
  params?: { sessionId?: unknown; message?: unknown };
}

/** The id of the one request sent to the worker. */
const REQUEST_ID = 1;

/**
 * What evaluateOnWorker answers when the process has no such worker: it ended without saying so
 * (`worker.terminate()` runs none of its exit handlers), and its tick, never coming again,
 * would read as a loop blocked for good.
 */
export const WORKER_GONE: unique symbol = Symbol('no such worker');

/**
 * Evaluates `expression` in worker thread `threadId`; resolves its value (returned by value),
 * WORKER_GONE when there is no such worker, or undefined (an error, the timeout, no inspector).
 */
export function evaluateOnWorker(threadId: number, expression: string, timeoutMs: number): Promise<unknown> {
  // Disconnecting the session (askMainThread does, on the answer) detaches it from every worker.
  return askMainThread(timeoutMs, (relay, answer) => {
    let workerSession: string | undefined;
    relay.on('NodeWorker.attachedToWorker', (message: AttachedToWorker) => {
      const sessionId = message.params?.sessionId;
      if (workerSession !== undefined || typeof sessionId !== 'string' || threadIdOfWorkerTitle(message.params?.workerInfo?.title) !== threadId) return;
      workerSession = sessionId;
      const request = { id: REQUEST_ID, method: 'Runtime.evaluate', params: { expression, returnByValue: true, silent: true } };
      relay.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify(request) }, (error) => {
        if (error) answer(undefined);
      });
    });
    relay.on('NodeWorker.receivedMessageFromWorker', (message: ReceivedFromWorker) => {
      if (workerSession === undefined || message.params?.sessionId !== workerSession || typeof message.params.message !== 'string') return;
      const reply = evaluationAnswer(message.params.message);
      if (reply !== undefined) answer(reply.value);
    });
    relay.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => {
      // Every worker present is announced before the answer: none was the one asked for.
      if (error) answer(undefined);
      else if (workerSession === undefined) answer(WORKER_GONE);
    });
  });
}

/**
 * The answer to our request in a message relayed as text — its value, undefined for an error or
 * an exception — or undefined when the message is something else.
 */
export function evaluationAnswer(text: string): { value: unknown } | undefined {
  let reply: { id?: unknown; result?: { result?: { value?: unknown }; exceptionDetails?: unknown } };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return undefined;
  }
  if (typeof reply !== 'object' || reply === null || reply.id !== REQUEST_ID) return undefined;
  return { value: reply.result && !reply.result.exceptionDetails ? reply.result.result?.value : undefined };
}
