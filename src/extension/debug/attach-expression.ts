// The expression that loads the recorder into a process the debugger attached to. Evaluated in
// the debuggee's global scope, where `require` may be missing (ESM programs): it falls back to
// `process.getBuiltinModule('module').createRequire` (Node ≥ 20.16) and to the main module's
// require. It never throws: the answer is a short text the log shows. Pure: unit-tested.
import { HOOK_KEY } from './stops';

export function loadRecorderExpression(recorderPath: string, config: Record<string, unknown>): string {
  return `(() => {
  try {
    if (typeof globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})] === 'function') return 'already recorded';
    process.env.FLIGHT_RECORDER = ${JSON.stringify(JSON.stringify(config))};
    let load = typeof require === 'function' ? require : undefined;
    if (!load && typeof process.getBuiltinModule === 'function') load = process.getBuiltinModule('module').createRequire(process.cwd() + '/');
    if (!load && process.mainModule) load = process.mainModule.require.bind(process.mainModule);
    if (!load) return 'cannot load: no require in this process';
    const recorder = load(${JSON.stringify(recorderPath)});
    process.env.FLIGHT_RECORDER_ATTACHED = '1';
    // The preload starts by itself; loaded late, the library is started with the same options.
    if (recorder && typeof recorder.startPreload === 'function') recorder.startPreload({ attached: true });
    else if (recorder && !recorder.recorder && typeof recorder.FlightRecorder === 'function') new recorder.FlightRecorder(JSON.parse(process.env.FLIGHT_RECORDER)).start();
    return typeof globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})] === 'function' ? 'recording' : 'loaded';
  } catch (error) {
    return 'cannot load: ' + (error && error.message || error);
  }
})()`;
}
