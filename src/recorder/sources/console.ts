// Console output: console.log/info/debug/warn/error are wrapped so each call is recorded
// (level, stream, the first `maxBytes` bytes of the formatted text), then handed unchanged to
// the method that was there before. Not wrapped: console.trace/assert/dir/table (trace would
// print our frame). A program that later assigns its own console methods, or a new console,
// simply bypasses us; uninstall restores only methods still ours.
import { formatWithOptions } from 'node:util';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';

export const CONSOLE_LEVELS = ['', 'log', 'info', 'debug', 'warn', 'error'] as const;
type Level = 'log' | 'info' | 'debug' | 'warn' | 'error';
const STDERR_LEVELS: ReadonlySet<string> = new Set(['warn', 'error']);
const TRUNCATED = 4;

/** The text a console call prints, cut to at most maxBytes UTF-8 bytes; inspecting is bounded too. */
export function consoleText(args: readonly unknown[], maxBytes: number): { text: string; truncated: boolean } {
  let text = args.length === 1 && typeof args[0] === 'string'
    ? args[0]
    : formatWithOptions({ depth: 2, maxArrayLength: 20, maxStringLength: maxBytes, breakLength: Infinity, colors: false }, ...args);
  if (text.length <= maxBytes && Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  text = text.slice(0, maxBytes);
  while (Buffer.byteLength(text) > maxBytes) text = text.slice(0, Math.max(0, text.length - Math.ceil((Buffer.byteLength(text) - maxBytes) / 3) - 1));
  // Do not leave half a surrogate pair at the cut.
  const last = text.charCodeAt(text.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
  return { text, truncated: true };
}

export function consoleSource(maxBytes: number): EventSource {
  return {
    name: 'console',
    install(context: SourceContext) {
      const { ring } = context;
      const target = console as unknown as Record<Level, (...args: unknown[]) => unknown>;
      const restore: (() => void)[] = [];
      for (let code = 1; code < CONSOLE_LEVELS.length; code++) {
        const level = CONSOLE_LEVELS[code] as Level;
        const original = target[level];
        if (typeof original !== 'function') continue;
        const stream = STDERR_LEVELS.has(level) ? 2 : 1;
        const record = context.guard(`console.${level}`, (args: unknown[]) => {
          const { text, truncated } = consoleText(args, maxBytes);
          ring.write(Kind.console, ring.nowUs(), 0, 0, code, truncated ? stream | TRUNCATED : stream, ring.intern(text), 0);
        });
        const wrapped = function (this: unknown, ...args: unknown[]) {
          record(args);
          return original.apply(this, args);
        };
        Object.defineProperty(wrapped, 'name', { value: original.name });
        target[level] = wrapped;
        restore.push(() => {
          if (target[level] === wrapped) target[level] = original;
        });
      }
      return () => {
        for (const undo of restore) undo();
      };
    },
  };
}

/**
 * `console` (43): ts = call time, a = level (1 log, 2 info, 3 debug, 4 warn, 5 error),
 * b = stream (1 stdout, 2 stderr) | 4 when the text was cut, s1 = the text (≤ consoleMaxBytes).
 */
export function decodeConsole(record: RecordView, out: DecodeContext): void {
  const level = CONSOLE_LEVELS[record.a] || 'log';
  const args: Record<string, unknown> = { level, stream: record.b & 2 ? 'stderr' : 'stdout', text: record.s1 ?? '' };
  if (record.b & TRUNCATED) args.truncated = true;
  out.emit({ name: `console.${level}`, cat: 'console', ph: 'i', s: 't', ts: record.tsUs, pid: out.pid, tid: out.tid, args });
}
