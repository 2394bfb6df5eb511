// The launch property `"flightRecorder": true | { ...FLIGHT_RECORDER keys }` on node / pwa-node
// configurations: validation with messages a person can act on, the decision to record, and the
// environment merge. Pure (no vscode import) so it is unit-tested without an editor.
import { isHeaderNameList, MAX_RECORDED_HEADERS, type RecorderOptions } from '../../format/config';
import { mergeRecorderOptions } from '../node-options';

/** Set on a resolved configuration we injected into; child sessions find it on their parent. */
export const RECORDED_MARKER = '__flightRecorderRecorded';

const TRIGGER_NUMBERS = ['slowRequestMs', 'statusAtLeast', 'loopBlockMs', 'heapUsedMb', 'gcPauseMs', 'unresponsiveMs', 'cooldownMs', 'maxSnapshots', 'tailMs'] as const;
const TRIGGER_BOOLEANS = ['uncaughtException', 'unhandledRejection', 'nonZeroExit'] as const;
const TOP_NUMBERS = ['maxBytes', 'minAgeMs', 'cpuSamplingIntervalUs', 'loopBlockThresholdMs', 'consoleMaxBytes'] as const;
const TOP_BOOLEANS = ['asyncCausality', 'loopBlockStacks', 'fs', 'gc', 'followChildren', 'followWorkers', 'enabled'] as const;
const REDACT_BOOLEANS = ['query', 'headers', 'argv'] as const;
/** The ring must hold at least a few records; below this the recorder would be useless. */
const MIN_MAX_BYTES = 64 * 1024;

export interface ParsedProperty {
  /** The property asks for recording (true or an object without `enabled: false`). */
  requested: boolean;
  /** The property says explicitly not to record (`false`), which beats `recordAllDebugSessions`. */
  refused: boolean;
  options: RecorderOptions;
  /** One line per problem, naming the key: shown to the user before the session starts. */
  errors: string[];
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return candidates.find((c) => c.toLowerCase() === lower) ?? candidates.find((c) => c.toLowerCase().startsWith(lower.slice(0, 4)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(object: Record<string, unknown>, prefix: string, known: readonly string[], errors: string[]): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    errors.push(`"${prefix}${key}" is not a recorder option${hint ? ` (did you mean "${prefix}${hint}"?)` : ''}.`);
  }
}

function checkNumber(object: Record<string, unknown>, key: string, prefix: string, errors: string[]): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    errors.push(`"${prefix}${key}" must be a number ≥ 0 (got ${JSON.stringify(value)}).`);
  }
}

function checkBoolean(object: Record<string, unknown>, key: string, prefix: string, errors: string[]): void {
  const value = object[key];
  if (value !== undefined && typeof value !== 'boolean') errors.push(`"${prefix}${key}" must be true or false (got ${JSON.stringify(value)}).`);
}

/** Validates an options object with the `FLIGHT_RECORDER` keys; `prefix` names it in messages. */
export function validateRecorderOptions(value: Record<string, unknown>, prefix = 'flightRecorder.'): string[] {
  const errors: string[] = [];
  const known = [...TOP_NUMBERS, ...TOP_BOOLEANS, 'out', 'redact', 'triggers', 'recordHeaders'];
  checkKeys(value, prefix, known, errors);
  for (const key of TOP_NUMBERS) checkNumber(value, key, prefix, errors);
  for (const key of TOP_BOOLEANS) checkBoolean(value, key, prefix, errors);
  if (typeof value.maxBytes === 'number' && value.maxBytes > 0 && value.maxBytes < MIN_MAX_BYTES) {
    errors.push(`"${prefix}maxBytes" is ${value.maxBytes} bytes; use at least ${MIN_MAX_BYTES} (64 KiB), or 0 for the default 10 MiB.`);
  }
  if (value.recordHeaders !== undefined && !isHeaderNameList(value.recordHeaders)) {
    errors.push(`"${prefix}recordHeaders" must be a list of at most ${MAX_RECORDED_HEADERS} header names like ["x-request-id"] (got ${JSON.stringify(value.recordHeaders)}).`);
  }
  if (value.out !== undefined && (typeof value.out !== 'string' || value.out.trim() === '')) {
    errors.push(`"${prefix}out" must be a directory path (got ${JSON.stringify(value.out)}).`);
  }
  if (value.redact !== undefined) {
    if (!isPlainObject(value.redact)) errors.push(`"${prefix}redact" must be an object like { "query": true, "headers": true }.`);
    else {
      checkKeys(value.redact, `${prefix}redact.`, REDACT_BOOLEANS, errors);
      for (const key of REDACT_BOOLEANS) checkBoolean(value.redact, key, `${prefix}redact.`, errors);
    }
  }
  if (value.triggers !== undefined) {
    if (!isPlainObject(value.triggers)) errors.push(`"${prefix}triggers" must be an object like { "slowRequestMs": 200 }.`);
    else {
      const triggers = value.triggers;
      checkKeys(triggers, `${prefix}triggers.`, [...TRIGGER_NUMBERS, ...TRIGGER_BOOLEANS, 'signal'], errors);
      for (const key of TRIGGER_NUMBERS) checkNumber(triggers, key, `${prefix}triggers.`, errors);
      for (const key of TRIGGER_BOOLEANS) checkBoolean(triggers, key, `${prefix}triggers.`, errors);
      const signal = triggers.signal;
      if (signal !== undefined && signal !== null && (typeof signal !== 'string' || !/^SIG[A-Z0-9]+$/.test(signal))) {
        errors.push(`"${prefix}triggers.signal" must be a signal name such as "SIGUSR1", or null (got ${JSON.stringify(signal)}).`);
      }
      const status = triggers.statusAtLeast;
      if (typeof status === 'number' && status !== 0 && (status < 100 || status > 599)) {
        errors.push(`"${prefix}triggers.statusAtLeast" must be an HTTP status 100–599, or 0 for off (got ${status}).`);
      }
    }
  }
  return errors;
}

/** Reads the launch property. Anything that is not `undefined`, a boolean or an object is an error. */
export function parseFlightRecorderProperty(value: unknown): ParsedProperty {
  if (value === undefined || value === null) return { requested: false, refused: false, options: {}, errors: [] };
  if (typeof value === 'boolean') return { requested: value, refused: !value, options: {}, errors: [] };
  if (!isPlainObject(value)) {
    return {
      requested: false,
      refused: false,
      options: {},
      errors: [`"flightRecorder" must be true, false or an object of recorder options (got ${JSON.stringify(value)}).`],
    };
  }
  const errors = validateRecorderOptions(value);
  const disabled = value.enabled === false;
  return { requested: !disabled, refused: disabled, options: value as RecorderOptions, errors };
}

export interface InjectionDecision {
  inject: boolean;
  options: RecorderOptions;
  errors: string[];
}

/**
 * Whether a node / pwa-node / node-terminal configuration gets the recorder. Child sessions that
 * js-debug starts for each process and thread (`__pendingTargetId`) are left alone: their
 * process was started by the parent, which already carries the recorder.
 */
export function decideInjection(config: Record<string, unknown>, recordAllDebugSessions: boolean): InjectionDecision {
  const none: InjectionDecision = { inject: false, options: {}, errors: [] };
  if (config.__pendingTargetId !== undefined || config[RECORDED_MARKER] !== undefined) return none;
  const parsed = parseFlightRecorderProperty(config.flightRecorder);
  if (parsed.errors.length) return { inject: false, options: parsed.options, errors: parsed.errors };
  if (parsed.refused) return none;
  if (!parsed.requested && !recordAllDebugSessions) return none;
  return { inject: true, options: parsed.options, errors: [] };
}

/** What VS Code's own Node launch templates put in `skipFiles`; used when a configuration has none. */
const TEMPLATE_SKIP_FILES = ['<node_internals>/**'];

/**
 * The configuration's `skipFiles` plus the recorder bundle: the recorder's hooks run inside
 * the program's own http, console and fs calls, and stepping must never land in them.
 */
export function skipRecorderFiles(skipFiles: unknown, recorderPath: string): string[] {
  const list = Array.isArray(skipFiles) ? skipFiles.filter((entry): entry is string => typeof entry === 'string') : [...TEMPLATE_SKIP_FILES];
  return list.includes(recorderPath) ? list : [...list, recorderPath];
}

/** Reads NODE_OPTIONS and FLIGHT_RECORDER out of a dotenv file's text (js-debug's `envFile`). */
export function readEnvFileValue(text: string, name: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)?\s*$/.exec(raw);
    if (!match || match[1] !== name) continue;
    let value = (match[2] ?? '').trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    found = value;
  }
  return found;
}

/**
 * The configuration's `env` with the recorder added. `recorderEnv` is what the extension's
 * services produce (`NODE_OPTIONS` already prepended to `existingNodeOptions`, `FLIGHT_RECORDER`).
 * A FLIGHT_RECORDER the user wrote into `env` by hand is merged on top of ours.
 */
export function mergeDebugEnv(userEnv: Record<string, string | null | undefined> | undefined, recorderEnv: Record<string, string>): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(userEnv ?? {})) if (value !== undefined) env[key] = value;
  const userConfig = env.FLIGHT_RECORDER;
  Object.assign(env, recorderEnv);
  if (typeof userConfig === 'string' && recorderEnv.FLIGHT_RECORDER) {
    try {
      const ours = JSON.parse(recorderEnv.FLIGHT_RECORDER) as RecorderOptions;
      const theirs = JSON.parse(userConfig) as RecorderOptions;
      env.FLIGHT_RECORDER = JSON.stringify(mergeRecorderOptions(ours, theirs));
    } catch {
      env.FLIGHT_RECORDER = userConfig; // not JSON: leave theirs, the recorder will say what is wrong
    }
  }
  return env;
}
