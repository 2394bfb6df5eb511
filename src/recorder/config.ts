// Recorder options from the `FLIGHT_RECORDER` environment variable (JSON). Parsing never
// throws: a bad value turns recording off with one clear line, because a typo in an env
// variable must not take a production program down.
import { resolve } from 'node:path';
import { CONFIG_ENV, DEFAULT_MAX_BYTES, DEFAULT_MIN_AGE_MS, isHeaderNameList, MAX_RECORDED_HEADERS, type RecorderOptions, type TriggerOptions } from '../format/config';
import { MIN_RING_BYTES } from './ring/layout';

export const MAX_RING_BYTES = 1024 * 1024 * 1024;

/** Every option with its default filled in; what the recorder runs with. */
export interface ResolvedOptions extends RecorderOptions {
  out: string;
  maxBytes: number;
  minAgeMs: number;
  cpuSamplingIntervalUs: number;
  asyncCausality: boolean;
  loopBlockThresholdMs: number;
  loopBlockStacks: boolean;
  fs: boolean;
  gc: boolean;
  redact: { query: boolean; headers: boolean; argv: boolean };
  followChildren: boolean;
  followWorkers: boolean;
  consoleMaxBytes: number;
  /** Lower-case header names (none: an empty list). */
  recordHeaders: string[];
  triggers: Required<Omit<TriggerOptions, 'signal'>> & { signal: string | null };
  enabled: boolean;
}

export type ConfigResult = { ok: true; options: ResolvedOptions } | { ok: false; error: string };

type Check = (value: unknown) => string | null;
const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const number = (min: number, max: number, integer = false): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))
    ? null
    : `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
const string: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string');
const headerNames: Check = (v) => (isHeaderNameList(v) ? null : `must be a list of at most ${MAX_RECORDED_HEADERS} header names like ["x-request-id"]`);
const signalName: Check = (v) => (v === null || (typeof v === 'string' && /^SIG[A-Z0-9]+$/.test(v) && v !== 'SIGKILL' && v !== 'SIGSTOP') ? null : 'must be null or a signal name like "SIGUSR1"');

const DAY_MS = 86_400_000;
const TOP: Record<string, Check> = {
  out: string,
  maxBytes: number(MIN_RING_BYTES, MAX_RING_BYTES, true),
  minAgeMs: number(0, DAY_MS),
  cpuSamplingIntervalUs: number(0, 1_000_000, true),
  asyncCausality: boolean,
  loopBlockThresholdMs: number(1, 60_000),
  loopBlockStacks: boolean,
  fs: boolean,
  gc: boolean,
  followChildren: boolean,
  followWorkers: boolean,
  consoleMaxBytes: number(0, 65_536, true),
  recordHeaders: headerNames,
  enabled: boolean,
};
const REDACT: Record<string, Check> = { query: boolean, headers: boolean, argv: boolean };
const TRIGGERS: Record<string, Check> = {
  uncaughtException: boolean,
  unhandledRejection: boolean,
  nonZeroExit: boolean,
  slowRequestMs: number(0, DAY_MS),
  statusAtLeast: number(0, 999, true),
  loopBlockMs: number(0, DAY_MS),
  heapUsedMb: number(0, 1_048_576),
  gcPauseMs: number(0, DAY_MS),
  unresponsiveMs: number(0, DAY_MS),
  signal: signalName,
  cooldownMs: number(0, DAY_MS),
  maxSnapshots: number(0, 1_000_000, true),
  tailMs: number(0, 60_000),
};

export function defaultOptions(cwd = process.cwd()): ResolvedOptions {
  return {
    out: resolve(cwd, '.flight-recorder'),
    maxBytes: DEFAULT_MAX_BYTES,
    minAgeMs: DEFAULT_MIN_AGE_MS,
    cpuSamplingIntervalUs: 0,
    asyncCausality: false,
    loopBlockThresholdMs: 50,
    loopBlockStacks: true,
    fs: false,
    gc: true,
    redact: { query: true, headers: true, argv: true },
    followChildren: true,
    followWorkers: true,
    consoleMaxBytes: 256,
    recordHeaders: [],
    triggers: {
      uncaughtException: true,
      unhandledRejection: true,
      nonZeroExit: true,
      slowRequestMs: 0,
      statusAtLeast: 0,
      loopBlockMs: 0,
      heapUsedMb: 0,
      gcPauseMs: 0,
      unresponsiveMs: 0,
      signal: null,
      cooldownMs: 30_000,
      maxSnapshots: 10,
      tailMs: 0,
    },
    enabled: true,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(where: string, value: unknown, checks: Record<string, Check>): string | null {
  if (!isPlainObject(value)) return `${where} must be an object`;
  for (const [key, item] of Object.entries(value)) {
    const check = checks[key];
    if (!check) return `unknown key ${where === 'FLIGHT_RECORDER' ? '' : `${where}.`}${key}`;
    if (item === undefined) continue;
    const problem = check(item);
    if (problem) return `${where === 'FLIGHT_RECORDER' ? '' : `${where}.`}${key} ${problem} (got ${JSON.stringify(item)})`;
  }
  return null;
}

/** Validates options given as an object (API, parsed env) and fills in defaults. */
export function resolveOptions(input: unknown, cwd = process.cwd()): ConfigResult {
  if (input === undefined || input === null) return { ok: true, options: defaultOptions(cwd) };
  const { redact, triggers, ...top } = isPlainObject(input) ? input : { redact: undefined, triggers: undefined };
  const problem =
    checkKeys('FLIGHT_RECORDER', isPlainObject(input) ? top : input, TOP) ??
    (redact === undefined ? null : checkKeys('redact', redact, REDACT)) ??
    (triggers === undefined ? null : checkKeys('triggers', triggers, TRIGGERS));
  if (problem) return { ok: false, error: problem };
  const options = defaultOptions(cwd);
  for (const [key, value] of Object.entries(top)) if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  if (typeof options.out === 'string') options.out = resolve(cwd, options.out);
  options.recordHeaders = [...new Set(options.recordHeaders.map((name) => name.toLowerCase()))];
  if (isPlainObject(redact)) Object.assign(options.redact, stripUndefined(redact));
  if (isPlainObject(triggers)) Object.assign(options.triggers, stripUndefined(triggers));
  return { ok: true, options };
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

/** Reads `FLIGHT_RECORDER` from an environment; empty or absent = defaults. */
export function parseConfigEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigResult {
  const text = env[CONFIG_ENV];
  if (text === undefined || text.trim() === '') return resolveOptions(undefined, cwd);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${CONFIG_ENV} is not valid JSON (${(error as Error).message})` };
  }
  return resolveOptions(parsed, cwd);
}

/** The one stderr line a bad configuration produces. */
export function configErrorLine(error: string): string {
  return `flight-recorder: ${error}; recording is off\n`;
}
