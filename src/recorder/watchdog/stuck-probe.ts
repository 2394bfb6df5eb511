// Where is the main thread stuck? From the watchdog thread, an inspector session connected to
// the main thread asks V8 to pause it: V8 interrupts even a `while (true) {}` at its next
// interrupt check, reports the call frames, and we resume it at once. Costs the main thread
// one pause (~ms); nothing when never called.
import type { Session } from 'node:inspector';
import { inspector } from '../lazy-builtins';
import type { StackFrame } from '../../format/stack';
import { nowUs } from '../clock';

export interface ProbeResult {
  frames: StackFrame[];
  /** When the thread paused (trace clock, µs); absent when it never paused. */
  pausedAtUs?: number;
  error?: string;
}

interface CallFrame {
  functionName: string;
  url?: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
}

export function probeMainThread(timeoutMs: number, maxFrames = 32): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let session: Session;
    let settled = false;
    const scripts = new Map<string, string>();
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        session.post('Debugger.disable', () => {
          try {
            session.disconnect();
          } catch {}
        });
      } catch {
        try {
          session.disconnect();
        } catch {}
      }
      resolve(result);
    };
    const timer = setTimeout(() => finish({ frames: [], error: `the main thread did not pause within ${timeoutMs} ms: no JavaScript ran (idle, busy in native code, or already paused by a debugger)` }), timeoutMs);
    try {
      session = new (inspector().Session)();
      session.connectToMainThread();
      session.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string } }) => {
        if (message.params.url) scripts.set(message.params.scriptId, message.params.url);
      });
      session.on('Debugger.paused', (message: { params: { callFrames: CallFrame[] } }) => {
        const pausedAtUs = nowUs();
        const frames = message.params.callFrames.slice(0, maxFrames).map((frame) => ({
          functionName: frame.functionName,
          url: frame.url || scripts.get(frame.location.scriptId) || '',
          lineNumber: frame.location.lineNumber + 1,
          columnNumber: (frame.location.columnNumber ?? 0) + 1,
        }));
        try {
          session.post('Debugger.resume');
        } catch {}
        finish({ frames, pausedAtUs });
      });
      session.post('Debugger.enable', (error) => {
        if (error) return finish({ frames: [], error: `Debugger.enable failed: ${error.message}` });
        session.post('Debugger.pause', (pauseError) => {
          if (pauseError) finish({ frames: [], error: `Debugger.pause failed: ${pauseError.message}` });
        });
      });
    } catch (error) {
      finish({ frames: [], error: `inspector unavailable: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
}
