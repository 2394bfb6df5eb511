// Where is the main thread stuck? The same probe as for a loop block (loop-probe.ts): the
// inspector evaluates a stack capture in the main thread, at its next interrupt check — V8
// interrupts even a `while (true) {}` — and hands the frames back. An idle main thread runs it
// from its event loop at once (no program frames under it); one busy in native code runs it only
// when back in JavaScript, which the timeout cuts short. This replaced `Debugger.enable` +
// `Debugger.pause`: enabling the debugger made V8 report every script to the session first
// (each script a program has loaded); on a small one that probe took ~35–40 ms, an evaluation ~3 ms
// (docs/benchmarks.md, finding 2b).
import type { StackFrame } from '../../format/stack';
import { nowUs } from '../clock';
import { evaluateOnMainThread, LOOP_PROBE_EXPRESSION, parseLoopProbe } from './loop-probe';

export interface ProbeResult {
  frames: StackFrame[];
  /** When the probe ran in the main thread (trace clock, µs); absent when it never ran. */
  pausedAtUs?: number;
  error?: string;
}

export async function probeMainThread(timeoutMs: number): Promise<ProbeResult> {
  const askedUs = nowUs();
  const answer = await evaluateOnMainThread(LOOP_PROBE_EXPRESSION, timeoutMs);
  const probe = parseLoopProbe(answer, askedUs, nowUs());
  if (!probe) return { frames: [], error: `the main thread ran no JavaScript within ${timeoutMs} ms (busy in native code, or the inspector is unavailable)` };
  return { frames: probe.frames, pausedAtUs: probe.ts };
}
