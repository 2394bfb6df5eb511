// The library API, shaped like Go's runtime/trace.FlightRecorder:
//   const recorder = new FlightRecorder({ maxBytes, minAgeMs }); recorder.start();
//   ... await recorder.snapshot({ reason: 'slow' }) → path; recorder.stop();
// and annotations that write into whichever recorder is running in this thread:
//   log(category, message); region(name, fn); const t = task(name); ...; t.end();
// With no recorder running the annotations are shared no-ops (one property read).
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { RecorderOptions } from '../format/config';
import { nowUs } from './clock';
import { resolveOptions, type ResolvedOptions } from './config';
import { RecorderRuntime } from './runtime';
import { os } from './lazy-builtins';

/** The runtime annotations write to (one per thread: each thread loads its own copy). */
let active: RecorderRuntime | null = null;
/** This bundle's path, for the watchdog worker and for children's NODE_OPTIONS. */
let bundlePath: string | undefined;

export function setBundlePath(path: string | undefined): void {
  bundlePath = path;
}

export function activeRuntime(): RecorderRuntime | null {
  return active;
}

export interface SnapshotOptions {
  /** Why: ends up in metadata.trigger.reason and the file name. Default `api`. */
  reason?: string;
  /** Directory; default the configured `out` (`<cwd>/.flight-recorder`). */
  out?: string;
}

export class FlightRecorder {
  private readonly resolved: ResolvedOptions;
  private runtime: RecorderRuntime | null = null;

  /** Options as in FLIGHT_RECORDER; zero/absent values mean the defaults (10 MiB, 10 s). Throws TypeError on bad values. */
  constructor(options: RecorderOptions = {}) {
    const result = resolveOptions(options);
    if (!result.ok) throw new TypeError(`FlightRecorder: ${result.error}`);
    this.resolved = result.options;
  }

  /** @internal Wraps the runtime the preload started, so `recorder` exports look like any other. */
  static adopt(runtime: RecorderRuntime): FlightRecorder {
    const recorder = new FlightRecorder();
    (recorder as unknown as { resolved: ResolvedOptions }).resolved = runtime.options;
    recorder.runtime = runtime;
    return recorder;
  }

  get options(): Readonly<ResolvedOptions> {
    return this.resolved;
  }

  /** True between start() and stop(). */
  get enabled(): boolean {
    return this.runtime !== null && !this.runtime.isStopped;
  }

  /** Starts recording. Throws if a recorder is already running in this thread (as Go's Start returns an error). */
  start(): void {
    if (this.enabled) throw new Error('FlightRecorder: already started');
    if (active && !active.isStopped) throw new Error('FlightRecorder: another flight recorder is already running in this thread');
    const runtime = new RecorderRuntime(this.resolved, bundlePath);
    runtime.start();
    this.runtime = runtime;
    active = runtime;
  }

  /** Stops recording and releases the ring; the recorder can be started again (with an empty ring). */
  stop(): void {
    const runtime = this.runtime;
    this.runtime = null;
    if (!runtime) return;
    runtime.stop();
    if (active === runtime) active = null;
  }

  /** Writes a snapshot file; resolves with its path. Rejects when not recording, or `busy`. */
  async snapshot(options: SnapshotOptions = {}): Promise<string> {
    const runtime = this.runtime;
    if (!runtime || runtime.isStopped) throw new Error('FlightRecorder: not recording');
    const result = await runtime.snapshot({ reason: options.reason ?? 'api', source: 'api', ts: nowUs(), ...(options.out ? { out: options.out } : {}) }, true);
    return result.path;
  }

  /** Writes a snapshot (the same JSON a file would hold) to a stream; resolves with the byte count. */
  async writeTo(stream: Writable): Promise<number> {
    const dir = mkdtempSync(join(os().tmpdir(), 'flight-recorder-'));
    try {
      const path = await this.snapshot({ reason: 'writeTo', out: dir });
      let bytes = 0;
      await new Promise<void>((resolve, reject) => {
        const input = createReadStream(path);
        input.on('data', (chunk) => (bytes += chunk.length));
        input.on('error', reject);
        stream.on('error', reject);
        input.on('end', () => resolve());
        input.pipe(stream, { end: false });
      });
      return bytes;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Resolves once the control socket is listening (tests, tools). */
  whenReady(): Promise<void> {
    return this.runtime?.whenReady() ?? Promise.resolve();
  }
}

/** An instant in the `user` category. */
export function log(category: string, message: string): void {
  const runtime = active;
  if (runtime === null) return;
  try {
    runtime.log(String(category), String(message));
  } catch {}
}

/** Runs fn and records it as a `user` slice named `name`; async functions end when they settle. */
export function region<T>(name: string, fn: () => T): T {
  const runtime = active;
  if (runtime === null) return fn();
  const start = nowUs();
  const end = () => {
    try {
      runtime.region(String(name), start, nowUs());
    } catch {}
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    end();
    throw error;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    (result as unknown as Promise<unknown>).then(end, end);
  } else {
    end();
  }
  return result;
}

export interface Task {
  end(): void;
}

const NOOP_TASK: Task = Object.freeze({ end() {} });
let nextTaskId = 1;

/** Starts a `user` async span that may cross awaits; call end() once when it finishes. */
export function task(name: string): Task {
  const runtime = active;
  if (runtime === null) return NOOP_TASK;
  const id = nextTaskId++;
  const label = String(name);
  try {
    runtime.taskBegin(label, id);
  } catch {}
  let ended = false;
  return {
    end() {
      if (ended) return;
      ended = true;
      try {
        runtime.taskEnd(label, id);
      } catch {}
    },
  };
}

/** Snapshot of the recorder running in this process; rejects when none is. */
export function snapshot(options: SnapshotOptions = {}): Promise<string> {
  const runtime = active;
  if (runtime === null) return Promise.reject(new Error('flight recorder is not recording'));
  return runtime
    .snapshot({ reason: options.reason ?? 'api', source: 'api', ts: nowUs(), ...(options.out ? { out: options.out } : {}) }, true)
    .then((result) => result.path);
}

export function installActive(runtime: RecorderRuntime): void {
  active = runtime;
}
