// Opt-in fs operations (fs: true): the common node:fs functions — callback, promise and sync
// forms — are wrapped to record each call as a complete event (operation, path, duration,
// error). Node 20 publishes no fs diagnostics channel, so wrapping is the only way; it costs a
// closure per callback call and two clock reads per operation, hence opt-in. ESM named imports
// see the wrappers too (syncBuiltinESMExports). Uninstall restores what is still ours.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { Kind } from './kinds';

const OPERATIONS = [
  'access', 'appendFile', 'chmod', 'close', 'copyFile', 'fstat', 'lstat', 'mkdir', 'mkdtemp', 'open', 'read', 'readdir',
  'readFile', 'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'symlink', 'truncate', 'unlink', 'utimes', 'write', 'writeFile',
] as const;

type AnyFunction = (...args: unknown[]) => unknown;

export function fsSource(): EventSource {
  return {
    name: 'fs',
    install(context: SourceContext) {
      const { ring } = context;
      const restore: (() => void)[] = [];
      const record = (operation: string, target: unknown, startUs: number, failed: boolean) => {
        const endUs = ring.nowUs();
        const path = typeof target === 'string' ? target : target instanceof URL ? target.pathname : typeof target === 'number' ? `fd ${target}` : '';
        ring.write(Kind.fsOperation, startUs, endUs - startUs, 0, failed ? 1 : 0, 0, ring.intern(operation), path ? ring.intern(path) : 0);
      };
      const safeRecord = context.guard('fs record', record);

      const patch = (owner: Record<string, unknown>, name: string, wrap: (original: AnyFunction) => AnyFunction) => {
        const original = owner[name];
        if (typeof original !== 'function') return;
        const wrapped = wrap(original as AnyFunction);
        Object.defineProperty(wrapped, 'name', { value: (original as AnyFunction).name });
        // Keep what hangs off the function: realpath.native, util.promisify.custom.
        for (const key of [...Object.keys(original), ...Object.getOwnPropertySymbols(original)]) {
          (wrapped as unknown as Record<string | symbol, unknown>)[key] = (original as unknown as Record<string | symbol, unknown>)[key];
        }
        owner[name] = wrapped;
        restore.push(() => {
          if (owner[name] === wrapped) owner[name] = original;
        });
      };

      const callbackApi = fs as unknown as Record<string, unknown>;
      const promiseApi = fs.promises as unknown as Record<string, unknown>;
      for (const operation of OPERATIONS) {
        patch(callbackApi, operation, (original) => function (this: unknown, ...args: unknown[]) {
          const last = args.length - 1;
          const callback = args[last];
          if (typeof callback !== 'function') return original.apply(this, args);
          const startUs = ring.nowUs();
          args[last] = function (this: unknown, error: unknown, ...rest: unknown[]) {
            safeRecord(operation, args[0], startUs, error !== null && error !== undefined);
            return (callback as AnyFunction).call(this, error, ...rest);
          };
          return original.apply(this, args);
        });
        patch(callbackApi, `${operation}Sync`, (original) => function (this: unknown, ...args: unknown[]) {
          const startUs = ring.nowUs();
          let failed = true;
          try {
            const result = original.apply(this, args);
            failed = false;
            return result;
          } finally {
            safeRecord(`${operation}Sync`, args[0], startUs, failed);
          }
        });
        patch(promiseApi, operation, (original) => function (this: unknown, ...args: unknown[]) {
          const startUs = ring.nowUs();
          // A new promise that settles like the original: an unhandled rejection stays unhandled.
          return (original.apply(this, args) as Promise<unknown>).then(
            (value) => {
              safeRecord(operation, args[0], startUs, false);
              return value;
            },
            (error: unknown) => {
              safeRecord(operation, args[0], startUs, true);
              throw error;
            },
          );
        });
      }
      syncBuiltinESMExports();
      return () => {
        for (const undo of restore) undo();
        syncBuiltinESMExports();
      };
    },
  };
}

/** `fsOperation` (54): ts = call, dur = µs until its callback/settlement/return, a = 1 if it failed, s1 = operation (`readFile`, `statSync`, ...), s2 = path or `fd N`. → `X`, cat `fs`, name = operation. */
export function decodeFsOperation(record: RecordView, out: DecodeContext): void {
  const args: Record<string, unknown> = { path: record.s2 ?? '' };
  if (record.a === 1) args.error = true;
  out.emit({ name: record.s1 ?? 'fs', cat: 'fs', ph: 'X', ts: record.tsUs, dur: record.durUs, pid: out.pid, tid: out.tid, args });
}
