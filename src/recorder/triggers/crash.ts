// Crash and exit triggers. The program's own behaviour must not change:
// - uncaught exceptions and (in the default `throw` mode) unhandled rejections are observed
//   through `uncaughtExceptionMonitor`, which does not count as handling them (an
//   `unhandledRejection` listener would: it silences Node's error and keeps the process alive);
// - when nobody else handles the error the process is about to die, so the snapshot is
//   written synchronously right there; when the program has its own `uncaughtException`
//   listener it survives, and the snapshot is taken the ordinary (asynchronous) way;
// - a non-zero exit (including `process.exit(n)` from anywhere) writes its snapshot
//   synchronously in the `exit` listener, the last moment JavaScript runs.
import type { ResolvedOptions } from '../config';
import type { Trigger } from '../watchdog/messages';

export interface CrashHandlers {
  /** Synchronous snapshot (process dying). */
  snapshotSync(trigger: Trigger): void;
  /** Asynchronous snapshot (process survives). */
  snapshotAsync(trigger: Trigger): void;
  now(): number;
  /** Called first in the exit listener (the exit record goes into the snapshot). */
  recordExit(code: number): void;
  /** Called last in the exit listener (registry cleanup). */
  onExit(code: number): void;
}

function errorFacts(error: unknown): { name: string; message: string; stack: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: String(error.stack ?? '') };
  let text: string;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    text = String(error);
  }
  return { name: typeof error, message: text.slice(0, 4096), stack: '' };
}

/** Installs the listeners; returns how to remove them. */
export function installCrashTriggers(options: ResolvedOptions, handlers: CrashHandlers): () => void {
  let crashWritten = false;
  const onMonitor = (error: unknown, origin: string) => {
    try {
      const rejection = origin === 'unhandledRejection';
      if (rejection ? !options.triggers.unhandledRejection : !options.triggers.uncaughtException) return;
      const facts = errorFacts(error);
      const source = rejection ? 'unhandledRejection' : 'uncaughtException';
      const trigger: Trigger = { reason: `${source}: ${facts.message}`.slice(0, 200), source, ts: handlers.now(), error: facts };
      // Our own listener is the monitor, so any 'uncaughtException' listener is the program's.
      if (process.listenerCount('uncaughtException') > 0) {
        handlers.snapshotAsync(trigger);
      } else {
        crashWritten = true;
        handlers.snapshotSync(trigger);
      }
    } catch {}
  };
  const onExit = (code: number) => {
    try {
      handlers.recordExit(code);
    } catch {}
    try {
      const exitCode = typeof code === 'number' ? code : Number(process.exitCode ?? 0);
      if (exitCode !== 0 && options.triggers.nonZeroExit && !crashWritten) {
        handlers.snapshotSync({ reason: `exit code ${exitCode}`, source: 'exit', ts: handlers.now(), value: exitCode });
      }
    } catch {}
    try {
      handlers.onExit(code);
    } catch {}
  };
  process.on('uncaughtExceptionMonitor', onMonitor);
  process.on('exit', onExit);
  return () => {
    process.removeListener('uncaughtExceptionMonitor', onMonitor);
    process.removeListener('exit', onExit);
  };
}

/** Opt-in signal trigger. Never installed unless `triggers.signal` names a signal. */
export function installSignalTrigger(signal: string | null, fire: () => void): () => void {
  if (!signal) return () => undefined;
  const listener = () => {
    try {
      fire();
    } catch {}
  };
  try {
    process.on(signal as NodeJS.Signals, listener);
  } catch {
    return () => undefined;
  }
  return () => process.removeListener(signal as NodeJS.Signals, listener);
}
