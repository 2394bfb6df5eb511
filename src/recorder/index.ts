// Entry of dist/recorder.js: the preload, the library, and the watchdog thread in one file.
//
//   node --require /abs/dist/recorder.js app.js        (or NODE_OPTIONS="--require ...")
//       → a process-wide recorder starts with the FLIGHT_RECORDER configuration;
//   const { FlightRecorder, log, region, task, snapshot, recorder } = require('/abs/dist/recorder.js')
//       → the library; when the preload already runs, `recorder` is that instance and the
//         annotations write into it;
//   new Worker(this file, { workerData: { [WATCHDOG_MARKER]: true, ... } })
//       → the watchdog thread (never the preload, even though NODE_OPTIONS loads us there too).
//
// Loads once per thread (a non-enumerable, Symbol.for-keyed global), and never throws: any
// failure leaves the program running unrecorded.
import { FlightRecorder, log, region, task, snapshot, setBundlePath, installActive } from './api';
import { configErrorLine, parseConfigEnv } from './config';
import { RecorderRuntime, debugLog } from './runtime';
import { WATCHDOG_MARKER, type WatchdogData } from './watchdog/messages';
import { runWatchdog } from './watchdog/worker-main';
import { registryDirectory } from './control/registry-path';
import { RECORDER_VERSION } from './snapshot/facts';
import { isLauncherProcess } from './launcher-tools';
import { isMainThreadCheap, workerThreads } from './lazy-builtins';

const GUARD = Symbol.for('node-flight-recorder');

interface RecorderModule {
  FlightRecorder: typeof FlightRecorder;
  log: typeof log;
  region: typeof region;
  task: typeof task;
  snapshot: typeof snapshot;
  /** The process-wide recorder the preload started, or null. */
  recorder: FlightRecorder | null;
  registryDirectory: typeof registryDirectory;
  version: string;
}

function isPreload(): boolean {
  const parent = (module as { parent?: { id?: string } | null }).parent;
  if (parent && parent.id === 'internal/preload') return true;
  return false;
}

function load(): RecorderModule {
  const holder = globalThis as unknown as Record<symbol, RecorderModule | undefined>;
  const existing = holder[GUARD];
  if (existing) return existing;
  const api: RecorderModule = { FlightRecorder, log, region, task, snapshot, recorder: null, registryDirectory, version: RECORDER_VERSION };
  Object.defineProperty(globalThis, GUARD, { value: api, enumerable: false, configurable: true, writable: false });
  const self = typeof __filename === 'string' ? __filename : undefined;
  setBundlePath(self);
  try {
    // Not `import { isMainThread } from 'node:worker_threads'`: loading that module is ~5 ms
    // of every recorded program's start-up (lazy-builtins.ts).
    const isMainThread = isMainThreadCheap();
    const data = isMainThread ? undefined : (workerThreads().workerData as Partial<WatchdogData> | undefined);
    if (data && typeof data === 'object' && data[WATCHDOG_MARKER] === true) {
      runWatchdog(data as WatchdogData);
      return api;
    }
    if (!isPreload()) return api;
    const config = parseConfigEnv();
    if (!config.ok) {
      if (isMainThread) process.stderr.write(configErrorLine(config.error));
      return api;
    }
    if (!config.options.enabled) return api;
    if (isMainThread && isLauncherProcess()) return api;
    if (!isMainThread && !config.options.followWorkers) return api;
    const runtime = new RecorderRuntime(config.options, self, isMainThread);
    runtime.start();
    installActive(runtime);
    api.recorder = FlightRecorder.adopt(runtime);
  } catch (error) {
    debugLog(`not recording: ${error instanceof Error ? error.stack : String(error)}`);
  }
  return api;
}

module.exports = load();
