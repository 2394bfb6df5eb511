// `flight-recorder run [options] -- <command...>`: runs a command with the recorder preloaded
// into every Node process it starts (NODE_OPTIONS), forwards signals, and exits the way the
// child did (same code, or re-raising the same signal).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_ENV, isHeaderNameList, MAX_RECORDED_HEADERS, type RecorderOptions, type TriggerOptions } from '../../format/config';
import { allStrings, flag, parseArgs, stringOption, type OptionSpec } from '../args';
import { CommandError, UsageError } from '../errors';
import { parseDurationMs, parseSize } from '../units';

export const runHelp = `Usage: flight-recorder run [options] [--] <command> [args...]

Runs <command> with the recorder preloaded into it and every Node process it starts
(children and workers too, unless --no-children). Signals are forwarded; the exit code
(or the signal) is the command's own.

Options:
  --out DIR                 snapshot directory (default: <cwd of the program>/.flight-recorder)
  --max-bytes SIZE          ring size, e.g. 10mb, 512k (default 10mb)
  --min-age SECONDS         history to keep when the ring allows, e.g. 10, 30s (default 10)
  --cpu-sampling[=US]       sample CPU stacks every US microseconds (default 1000 = 1 ms)
  --trigger RULE[,RULE...]  write a snapshot by itself when a rule fires (repeatable):
      slow-request=200ms    a request took longer than this
      status=500            a response status at least this
      loop-block=100ms      the event loop was blocked this long
      heap=512mb            heap used above this
      gc-pause=50ms         one GC pause this long
      unresponsive=2s       the main thread did not answer for this long
      signal=SIGUSR1        on this signal (never SIGUSR2 unless asked: nodemon uses it)
      cooldown=30s          at most one snapshot per rule in this time
      max=5                 at most this many snapshots in all
      tail=500ms            keep recording this long after a rule fires
      uncaught-exception=off, unhandled-rejection=off, exit=off
                            (snapshots on crashes and non-zero exits are on by default)
  --record-header NAME[,NAME...]  record these request headers on HTTP spans, incoming and
                            outgoing (repeatable; e.g. x-request-id,traceparent; secret ones stay ***)
  --async-causality         record which callback scheduled which (costly)
  --fs                      record fs operations
  --no-gc                   do not record garbage collections (each costs ~20–30 µs in Node)
  --no-loop-block-stacks    do not ask where the main thread is during an event-loop block
  --no-children             record only the top process, not its child processes
  --no-workers              do not record worker threads
  -h, --help                this help

Example:
  flight-recorder run --out snapshots --trigger slow-request=200ms -- node server.js`;

const specs: OptionSpec[] = [
  { name: 'out', type: 'string' },
  { name: 'max-bytes', type: 'string' },
  { name: 'min-age', type: 'string' },
  { name: 'cpu-sampling', type: 'optional' },
  { name: 'trigger', type: 'string', multiple: true },
  { name: 'rule', type: 'string', multiple: true },
  { name: 'record-header', type: 'string', multiple: true },
  { name: 'async-causality', type: 'boolean' },
  { name: 'fs', type: 'boolean' },
  { name: 'no-gc', type: 'boolean' },
  { name: 'no-loop-block-stacks', type: 'boolean' },
  { name: 'no-children', type: 'boolean' },
  { name: 'no-workers', type: 'boolean' },
  { name: 'help', type: 'boolean', short: 'h' },
];

/** Signals passed on to the child. SIGINT from a terminal reaches the child by itself (same process group). */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGBREAK'];

export async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, specs, 'run', { stopAtPositional: true });
  if (flag(args, 'help')) {
    console.log(runHelp);
    return 0;
  }
  const command = args.rest;
  if (command.length === 0) throw new UsageError('no command to run (e.g. flight-recorder run -- node app.js)', 'run');
  const options = recorderOptionsFromArgs(args);
  const recorderPath = path.join(__dirname, 'recorder.js');
  if (!fs.existsSync(recorderPath)) throw new CommandError(`the recorder bundle is missing at ${recorderPath} (run npm run build)`);
  const env = recorderEnvironment(recorderPath, options, process.env);
  return spawnAndMirror(command, env);
}

/** The FLIGHT_RECORDER options the flags ask for (only keys that were given). */
export function recorderOptionsFromArgs(args: ReturnType<typeof parseArgs>): RecorderOptions {
  const options: RecorderOptions = {};
  const out = stringOption(args, 'out');
  if (out !== undefined) options.out = path.resolve(out);
  const maxBytes = stringOption(args, 'max-bytes');
  if (maxBytes !== undefined) {
    options.maxBytes = parseSize(maxBytes, '--max-bytes');
    if (options.maxBytes < 64 * 1024) throw new UsageError(`--max-bytes ${maxBytes} is too small (at least 64k)`, 'run');
  }
  const minAge = stringOption(args, 'min-age');
  if (minAge !== undefined) options.minAgeMs = parseDurationMs(minAge, '--min-age', 's');
  const sampling = args.options.get('cpu-sampling')?.[0];
  if (sampling !== undefined) {
    const us = sampling === true ? 1000 : parseDurationMs(sampling, '--cpu-sampling', 'us') * 1000;
    if (us < 50 || us > 1_000_000) throw new UsageError(`--cpu-sampling ${String(sampling)} is out of range (50 to 1000000 µs)`, 'run');
    options.cpuSamplingIntervalUs = Math.round(us);
  }
  const triggers: TriggerOptions = {};
  for (const spec of [...allStrings(args, 'trigger'), ...allStrings(args, 'rule')]) {
    for (const part of spec.split(',')) if (part.trim()) applyTrigger(part.trim(), triggers);
  }
  if (Object.keys(triggers).length > 0) options.triggers = triggers;
  const headers = allStrings(args, 'record-header').flatMap((spec) => spec.split(',').map((name) => name.trim()).filter((name) => name !== ''));
  if (headers.length > 0) {
    if (!isHeaderNameList(headers)) throw new UsageError(`--record-header ${allStrings(args, 'record-header').join(',')}: at most ${MAX_RECORDED_HEADERS} header names like x-request-id`, 'run');
    options.recordHeaders = headers;
  }
  if (flag(args, 'async-causality')) options.asyncCausality = true;
  if (flag(args, 'fs')) options.fs = true;
  if (flag(args, 'no-gc')) options.gc = false;
  if (flag(args, 'no-loop-block-stacks')) options.loopBlockStacks = false;
  if (flag(args, 'no-children')) options.followChildren = false;
  if (flag(args, 'no-workers')) options.followWorkers = false;
  return options;
}

const OFF = new Set(['off', 'false', 'no', '0', 'none']);
const ON = new Set(['on', 'true', 'yes', '1']);

/** `slow-request=200ms` → triggers.slowRequestMs = 200; `off`/`0` turns a rule off. */
export function applyTrigger(spec: string, triggers: TriggerOptions): void {
  const eq = spec.indexOf('=');
  const key = (eq < 0 ? spec : spec.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? '' : spec.slice(eq + 1).trim();
  const what = `--trigger ${key}`;
  const off = OFF.has(value.toLowerCase());
  const needValue = () => {
    if (value === '') throw new UsageError(`${what} needs a value (e.g. ${key}=${EXAMPLES[key] ?? '...'})`, 'run');
  };
  const duration = () => (off ? 0 : parseDurationMs(value, what, 'ms'));
  const boolean = () => {
    if (value === '' || ON.has(value.toLowerCase())) return true;
    if (off) return false;
    throw new UsageError(`${what}: "${value}" is not on/off`, 'run');
  };
  const integer = (min: number, max: number) => {
    if (off) return 0;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${what}: "${value}" is not a whole number from ${min} to ${max}`, 'run');
    return Number(value);
  };
  switch (key) {
    case 'slow-request': needValue(); triggers.slowRequestMs = duration(); break;
    case 'status': needValue(); triggers.statusAtLeast = integer(100, 599); break;
    case 'loop-block': needValue(); triggers.loopBlockMs = duration(); break;
    case 'gc-pause': needValue(); triggers.gcPauseMs = duration(); break;
    case 'unresponsive': needValue(); triggers.unresponsiveMs = duration(); break;
    case 'cooldown': needValue(); triggers.cooldownMs = duration(); break;
    case 'tail': needValue(); triggers.tailMs = duration(); break;
    case 'max': needValue(); triggers.maxSnapshots = integer(0, 1_000_000); break;
    case 'heap':
      needValue();
      triggers.heapUsedMb = off ? 0 : parseSize(value, what, 'mb') / (1024 * 1024);
      break;
    case 'signal':
      needValue();
      if (off) triggers.signal = null;
      else {
        const name = value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
        if (!/^SIG[A-Z0-9]+$/.test(name) || ['SIGKILL', 'SIGSTOP'].includes(name)) throw new UsageError(`${what}: "${value}" is not a signal that can be caught`, 'run');
        triggers.signal = name;
      }
      break;
    case 'uncaught-exception': triggers.uncaughtException = boolean(); break;
    case 'unhandled-rejection': triggers.unhandledRejection = boolean(); break;
    case 'exit': case 'non-zero-exit': triggers.nonZeroExit = boolean(); break;
    default:
      throw new UsageError(`unknown trigger "${key}" (known: ${Object.keys(EXAMPLES).join(', ')})`, 'run');
  }
}

const EXAMPLES: Record<string, string> = {
  'slow-request': '200ms', status: '500', 'loop-block': '100ms', heap: '512mb', 'gc-pause': '50ms', unresponsive: '2s',
  signal: 'SIGUSR1', cooldown: '30s', max: '5', tail: '500ms', 'uncaught-exception': 'off', 'unhandled-rejection': 'off', exit: 'off',
};

/** NODE_OPTIONS with `--require <recorder>` prepended to the user's own, FLIGHT_RECORDER merged. */
export function recorderEnvironment(recorderPath: string, options: RecorderOptions, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  const existing = base.NODE_OPTIONS?.trim();
  const requireFlag = `--require ${quoteForNodeOptions(recorderPath)}`;
  env.NODE_OPTIONS = existing ? `${requireFlag} ${existing}` : requireFlag;
  let merged: RecorderOptions = options;
  const previous = base[CONFIG_ENV];
  if (previous !== undefined && previous.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(previous);
    } catch {
      throw new UsageError(`${CONFIG_ENV} in the environment is not valid JSON; fix or unset it`, 'run');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`${CONFIG_ENV} in the environment must be a JSON object`, 'run');
    }
    const base = parsed as RecorderOptions;
    merged = { ...base, ...options };
    if (base.triggers || options.triggers) merged.triggers = { ...base.triggers, ...options.triggers };
  }
  env[CONFIG_ENV] = JSON.stringify(merged);
  return env;
}

/** NODE_OPTIONS splits on spaces and understands double quotes with backslash escapes. */
export function quoteForNodeOptions(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

function spawnAndMirror(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
    const forwarders = new Map<NodeJS.Signals, () => void>();
    for (const signal of FORWARDED_SIGNALS) {
      const forward = () => {
        // A terminal's Ctrl-C already reached the child (same process group): do not send it twice.
        if (signal === 'SIGINT' && process.stdin.isTTY) return;
        try {
          child.kill(signal);
        } catch {}
      };
      try {
        process.on(signal, forward);
        forwarders.set(signal, forward);
      } catch {
        // Not a signal on this platform (SIGBREAK off Windows).
      }
    }
    const removeForwarders = () => {
      for (const [signal, forward] of forwarders) process.removeListener(signal, forward);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      removeForwarders();
      const code = error.code === 'ENOENT' ? 127 : error.code === 'EACCES' ? 126 : 1;
      const why = error.code === 'ENOENT' ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      console.error(`flight-recorder run: ${command[0]}: ${why}`);
      resolve(code);
    });
    child.on('exit', (code, signal) => {
      removeForwarders();
      if (signal) {
        // Die the same way, so shells and supervisors see what really happened.
        process.kill(process.pid, signal);
        // If the signal does not end us (e.g. it is ignored), fall back to the shell convention.
        setTimeout(() => resolve(128 + (signalNumber(signal) ?? 1)), 500);
        return;
      }
      resolve(code ?? 1);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return os.constants.signals[signal];
}
