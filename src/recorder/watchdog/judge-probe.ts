// Stuck, or merely slow? The main thread did not answer a copy request in time and the probe
// had V8 take its stack at the next interrupt check (stuck-probe.ts; "paused" below: where the
// probe ran). Only a probe inside the program's own JavaScript, run before the main thread got
// round to the request, shows where it was stuck. A pause in Node's or the
// recorder's own code, a pause after it answered, or no pause at all (no JavaScript ran: idle,
// blocked in native code, or starved of CPU on a loaded machine) is reported as "slow to
// answer", with what we know, never as a stuck location.
import type { StackFrame } from '../../format/stack';
import type { ProbeResult } from './stuck-probe';

export type ProbeVerdict =
  | { stuck: true }
  | { stuck: false; slow: { waitedMs: number; answered: boolean; detail: string } };

/** The recorder bundle's own path: its frames are not the program's. */
const OWN_FILE = typeof __filename === 'string' ? __filename : '';

export function isProgramFrame(frame: StackFrame, ownFile = OWN_FILE): boolean {
  const url = frame.url.startsWith('file://') ? decodeURIComponent(frame.url.slice('file://'.length)) : frame.url;
  if (url === '' || url.startsWith('node:') || url.startsWith('internal/')) return false;
  return ownFile === '' || url !== ownFile;
}

/**
 * @param answeredAtUs when the main thread handled the request (0 = never)
 * @param askedUs when the watchdog asked
 * @param waitedMs how long the watchdog has waited so far
 */
export function judgeProbe(probe: ProbeResult, answeredAtUs: number, askedUs: number, waitedMs: number, ownFile = OWN_FILE): ProbeVerdict {
  const answered = answeredAtUs > 0;
  const pausedBeforeAnswer = probe.pausedAtUs !== undefined && (!answered || probe.pausedAtUs < answeredAtUs);
  if (pausedBeforeAnswer && probe.frames.some((frame) => isProgramFrame(frame, ownFile))) return { stuck: true };
  if (answered) {
    const lateMs = Math.max(0, Math.round((answeredAtUs - askedUs) / 1000));
    return { stuck: false, slow: { waitedMs: lateMs, answered, detail: `the main thread answered ${lateMs} ms after the request; no program JavaScript was running when probed (idle, or slowed down by a loaded machine)` } };
  }
  const why = probe.pausedAtUs === undefined
    ? 'no JavaScript ran to pause (blocked in native code or a system call, or idle on an overloaded machine)'
    : "it paused only in Node.js's or the recorder's own code";
  return { stuck: false, slow: { waitedMs, answered, detail: `no answer after ${waitedMs} ms and ${why}${probe.error ? `: ${probe.error}` : ''}` } };
}
