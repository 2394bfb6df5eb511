// Opt-in CPU sampling (cpuSamplingIntervalUs > 0) with V8's profiler through an in-process
// inspector session. The profiler runs continuously; every WINDOW_MS the window ends (the
// next one started just before it) and its profile is kept as JSON text (a compact string, not
// an object graph). Windows older than the retention (minAgeMs + one window) are dropped, and so
// are the oldest when the kept text passes MAX_BYTES: CPU stacks never hold more than
// MAX_BYTES (4 MiB) of recorder memory. At snapshot time the running window is ended too (so
// the stacks reach the trigger), and the text of every window overlapping the snapshot goes to
// the thread that writes it, which cuts each to the snapshot's range and writes it as a
// DevTools `Profile` + `ProfileChunk` pair (profile-events.ts). V8's profile timestamps are µs
// on the same monotonic clock as the trace (uv_hrtime), so samples line up with the other
// events without conversion.
//
// Cost: the sampling itself (see docs/benchmarks.md; ~3 % at 10 ms, ~9 % at 1 ms on an HTTP
// server per DESIGN.md), plus ending each window: ~10 ms of the main thread at 1 ms sampling,
// nearly all of it V8 building and serialising the profile and the session parsing it back.
// While DevTools is attached with its profiler on, it is told of each window too (a console
// profile, named TITLE_PREFIX + n, reaches every session) and lists them.
import { console as inspectorConsole, Session } from 'node:inspector';
import type { EventSource, ProfileWindowText, SourceContext } from '../contracts';
import type { V8Profile } from './profile-events';

const WINDOW_MS = 5000;
export const MAX_BYTES = 4 * 1024 * 1024;
/** Our windows' profile titles start so (a program's own console.profile titles are not ours). */
const TITLE_PREFIX = 'node-flight-recorder cpu window ';

export function cpuProfileSource(intervalUs: number, minAgeMs: number): EventSource & { heldBytes(): number } {
  /** Finished windows, oldest first: their time span and their profile's JSON text (one-byte: a byte a character). */
  const windows: { startTime: number; endTime: number; text: ProfileWindowText }[] = [];
  let heldBytes = 0;
  let serial = 0;
  let session: Session | undefined;
  let rotateNow: () => void = () => {};

  return {
    name: 'cpu-profile',
    heldBytes: () => heldBytes,
    install(context: SourceContext) {
      const activeSession = new Session();
      session = activeSession;
      activeSession.connect();
      // An in-process session answers synchronously: each post's callback has run on return.
      const post = (method: string, params?: object): unknown => {
        let result: unknown;
        activeSession.post(method, params ?? {}, (error: Error | null, answer?: unknown) => {
          if (error) throw error;
          result = answer;
        });
        return result;
      };
      const keep = (profile: V8Profile) => {
        // As text: the snapshot hands it to the watchdog as one string, and it holds a window
        // in less memory than the parsed objects did.
        const json = JSON.stringify(profile);
        windows.push({ startTime: profile.startTime, endTime: profile.endTime, text: { serial: ++serial, json } });
        heldBytes += json.length;
        const oldestUs = profile.endTime - (minAgeMs + WINDOW_MS) * 1000;
        while (windows.length > 0 && (heldBytes > MAX_BYTES || (windows[0]?.endTime ?? 0) < oldestUs)) {
          heldBytes -= windows.shift()?.text.json.length ?? 0;
        }
      };
      // Windows are console profiles of this session, each started just before the one before
      // it ends: while a profile runs, the session keeps V8's profiler — and the map of every
      // compiled function it builds when it starts — where stopping the only profile disposed
      // of it, and starting the next built it again: 25–40 ms of the main thread per window
      // (Profiler.start), against ~0.3 ms (docs/benchmarks.md). `inspector.console` reaches
      // the inspector only: nothing is printed. A window arrives with its end (synchronously,
      // in an in-process session), also when the program's own untitled console.profileEnd()
      // ends it early.
      const keepOurs = context.guard('cpu-profile window', (message: { params?: { title?: unknown; profile?: V8Profile } }) => {
        const { title, profile } = message.params ?? {};
        if (typeof title === 'string' && title.startsWith(TITLE_PREFIX) && profile) keep(profile);
      });
      activeSession.on('Profiler.consoleProfileFinished', keepOurs);
      post('Profiler.enable');
      post('Profiler.setSamplingInterval', { interval: Math.max(50, Math.round(intervalUs)) });
      let windowCount = 0;
      let running = TITLE_PREFIX + ++windowCount;
      inspectorConsole.profile(running);

      rotateNow = context.guard('cpu-profile rotate', () => {
        const next = TITLE_PREFIX + ++windowCount;
        inspectorConsole.profile(next);
        inspectorConsole.profileEnd(running);
        running = next;
      });
      const timer = setInterval(rotateNow, WINDOW_MS);
      timer.unref();
      return () => {
        clearInterval(timer);
        rotateNow = () => {};
        try {
          activeSession.off('Profiler.consoleProfileFinished', keepOurs);
          inspectorConsole.profileEnd(running);
          post('Profiler.disable');
        } catch {}
        activeSession.disconnect();
        session = undefined;
        windows.length = 0;
        heldBytes = 0;
      };
    },
    snapshotProfiles(startUs: number, endUs: number): ProfileWindowText[] {
      if (session === undefined) return [];
      rotateNow();
      return windows.filter((window) => window.endTime >= startUs && window.startTime <= endUs).map((window) => window.text);
    },
  };
}
