// A snapshot point in the editor is a logpoint whose message calls the recorder's hook: js-debug
// compiles a logpoint into a breakpoint condition `console.log(...), false`, which V8 evaluates
// without pausing; the hook takes the snapshot and its answer is what the Debug Console prints
// ("capturing snapshot #3 ..."). Its text is also how we recognise our breakpoints among the
// user's, across reloads. Pure: unit-tested.
import { HOOK_KEY } from './stops';

// ASCII only, the location's characters escaped: js-debug forwards breakpoints to every worker
// thread through Node's inspector, which rejects messages with non-ASCII characters ("Message
// must be a valid JSON"), and the worker then never starts (the recorder's watchdog included).
const PREFIX = 'Flight Recorder snapshot point';

/** A JavaScript string literal of `text` in pure ASCII. */
export function asciiLiteral(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The logpoint message for a point at `location` (`/abs/file.js:12`, 1-based). */
export function snapshotPointMessage(location: string): string {
  const call = `globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})]?.(${asciiLiteral(location)}, "snapshotPoint") ?? "recorder not loaded: debug with \\"flightRecorder\\": true"`;
  return `${PREFIX}: {${call}}`;
}

export function isSnapshotPointMessage(logMessage: string | undefined): boolean {
  return typeof logMessage === 'string' && logMessage.startsWith(PREFIX) && logMessage.includes(HOOK_KEY);
}

/** The location a snapshot point message was made for. */
export function snapshotPointLocation(logMessage: string): string | undefined {
  const match = /\?\.\(("(?:[^"\\]|\\.)*")/.exec(logMessage);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1] as string) as string;
  } catch {
    return undefined;
  }
}
