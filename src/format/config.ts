// Recorder options: the `FLIGHT_RECORDER` environment variable (JSON), the CLI's flags, the
// VS Code setting `flightRecorder.recorder` and the launch property `"flightRecorder"` all
// carry this shape. Every key is optional; 0 / null turns a rule off.

export const CONFIG_ENV = 'FLIGHT_RECORDER';

export interface TriggerOptions {
  uncaughtException?: boolean;
  unhandledRejection?: boolean;
  nonZeroExit?: boolean;
  slowRequestMs?: number;
  statusAtLeast?: number;
  loopBlockMs?: number;
  heapUsedMb?: number;
  gcPauseMs?: number;
  /** Main thread has not answered for this long: snapshot with its stuck location. */
  unresponsiveMs?: number;
  /** e.g. "SIGUSR1"? Off by default; never SIGUSR2 unless asked (nodemon owns it). */
  signal?: string | null;
  cooldownMs?: number;
  maxSnapshots?: number;
  /** Keep recording this long after a rule fires before writing, so the snapshot shows the aftermath. */
  tailMs?: number;
}

export interface RedactOptions {
  /** Replace query-string values with ***. Default true. */
  query?: boolean;
  /** Replace header values (all but a safe list) with ***. Default true. */
  headers?: boolean;
  /** Replace values of argv flags that look like secrets (--token=..., --password ...). Default true. */
  argv?: boolean;
}

export interface RecorderOptions {
  /** Snapshot directory. Default: `<cwd>/.flight-recorder`. */
  out?: string;
  /** Ring size in bytes; the recorder's event memory never exceeds it. Default 10 MiB. */
  maxBytes?: number;
  /** Keep at least this much history when the ring allows. Default 10 000 ms. */
  minAgeMs?: number;
  /** 0 = off; e.g. 1000 for 1 ms CPU sampling. */
  cpuSamplingIntervalUs?: number;
  asyncCausality?: boolean;
  /** Event-loop blocks shorter than this are not recorded as slices. Default 50 ms. */
  loopBlockThresholdMs?: number;
  /**
   * Where the main thread was during its event-loop blocks (default on): once a block has lasted
   * `loopBlockThresholdMs`, the watchdog thread asks V8 for the main thread's stack (a fraction
   * of a ms of the blocked thread, at most once a block and five times a second), and the block's
   * slice gets it. The watchdog looks for 30 s after each block (the first has none).
   */
  loopBlockStacks?: boolean;
  /** Record fs operations (opt-in). */
  fs?: boolean;
  /**
   * Record garbage collections (default on). Node makes a performance entry per collection
   * for any GC observer, ~20–30 µs each (docs/benchmarks.md); off, the gcPauseMs rule never fires.
   */
  gc?: boolean;
  redact?: RedactOptions;
  followChildren?: boolean;
  followWorkers?: boolean;
  /** Console lines are cut to this many bytes. Default 256. */
  consoleMaxBytes?: number;
  /**
   * Request headers recorded on HTTP spans — those incoming requests carry, and those the program
   * sends with node:http and fetch — by name (any case), e.g. `["x-request-id", "traceparent"]`:
   * what ties a request to the program's logs and traces, and to the services it calls. None by
   * default.
   * Values of headers that carry secrets (authorization, cookies, tokens, keys) stay `***`
   * unless `redact.headers` is false.
   */
  recordHeaders?: string[];
  triggers?: TriggerOptions;
  /** Recording off entirely (the preload then does nothing). */
  enabled?: boolean;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MIN_AGE_MS = 10_000;

/** Most request headers `recordHeaders` may name: each is looked for in every request's raw headers. */
export const MAX_RECORDED_HEADERS = 16;
/** An HTTP header name (RFC 9110 token): what `recordHeaders` accepts. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether `value` is a valid `recordHeaders` list. */
export function isHeaderNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_RECORDED_HEADERS && value.every((name) => typeof name === 'string' && HEADER_NAME.test(name));
}
