// Process warnings and uncaught errors, with their stacks. Observes only: 'warning' listeners
// do not change how Node prints warnings, and 'uncaughtExceptionMonitor' runs before Node's
// own handling without altering it (an 'unhandledRejection' listener would change the
// program's behaviour, so there is none; unhandled rejections arrive here with origin
// 'unhandledRejection' under Node's default throw mode). The snapshot itself is the core
// trigger's job; this records the event it will contain.
import { parseV8Stack } from '../../format/stack';
import { EventNames } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';

const MAX_TEXT = 4096;
const cut = (text: string) => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);

function describe(value: unknown): { message: string; stack: string } {
  if (value instanceof Error) return { message: `${value.name}: ${value.message}`, stack: typeof value.stack === 'string' ? value.stack : '' };
  try {
    return { message: `${typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)}`, stack: '' };
  } catch {
    return { message: String(value), stack: '' };
  }
}

export function errorsSource(): EventSource {
  return {
    name: 'errors',
    install(context: SourceContext) {
      const { ring } = context;
      const onWarning = context.guard('warning', (warning: Error) => {
        const { message, stack } = describe(warning);
        ring.write(Kind.warning, ring.nowUs(), 0, 0, 0, 0, ring.intern(cut(message)), stack ? ring.intern(cut(stack)) : 0);
      });
      const onUncaught = context.guard('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
        const { message, stack } = describe(error);
        ring.write(Kind.uncaught, ring.nowUs(), 0, 0, origin === 'unhandledRejection' ? 2 : 1, 0, ring.intern(cut(message)), stack ? ring.intern(cut(stack)) : 0);
      });
      process.on('warning', onWarning);
      process.on('uncaughtExceptionMonitor', onUncaught);
      return () => {
        process.removeListener('warning', onWarning);
        process.removeListener('uncaughtExceptionMonitor', onUncaught);
      };
    },
  };
}

function errorArgs(record: RecordView): Record<string, unknown> {
  const stack = record.s2 ?? '';
  const args: Record<string, unknown> = { message: record.s1 ?? '' };
  if (stack) {
    args.stack = stack;
    args.frames = parseV8Stack(stack);
  }
  return args;
}

/** `warning` (44): ts, s1 = `Name: message`, s2 = stack (each ≤ 4096 chars). → `i` `Warning`, cat `error`. */
export function decodeWarning(record: RecordView, out: DecodeContext): void {
  out.emit({ name: EventNames.warning, cat: 'error', ph: 'i', s: 't', ts: record.tsUs, pid: out.pid, tid: out.tid, args: errorArgs(record) });
}

/**
 * `uncaught` (45): ts, a = origin (1 uncaught exception, 2 unhandled rejection),
 * s1 = `Name: message` (or the thrown value), s2 = stack. → `i` `Uncaught exception` /
 * `Unhandled rejection`, cat `error`, process scope.
 */
export function decodeUncaught(record: RecordView, out: DecodeContext): void {
  const name = record.a === 2 ? EventNames.unhandledRejection : EventNames.uncaughtException;
  out.emit({ name, cat: 'error', ph: 'i', s: 'p', ts: record.tsUs, pid: out.pid, tid: out.tid, args: errorArgs(record) });
}
