// Wraps a source's hook so that an error inside it is swallowed and reported (`onError`), never
// thrown into the program. Hooks run on hot paths (every request, every fs call): the wrapper
// has the hook's own arity, so a call allocates nothing (no rest-args array, no `apply` list).
// Hooks must not read `arguments`: they receive exactly `hook.length` arguments (up to 4).
type AnyHook = (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown;

export function guardHook<F extends (...args: never[]) => unknown>(hook: F, onError: (error: unknown) => void): F {
  const h = hook as unknown as AnyHook;
  let guarded: AnyHook;
  switch (hook.length) {
    case 0:
      guarded = function (this: unknown) {
        try {
          return h.call(this);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
      break;
    case 1:
      guarded = function (this: unknown, a?: unknown) {
        try {
          return h.call(this, a);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
      break;
    case 2:
      guarded = function (this: unknown, a?: unknown, b?: unknown) {
        try {
          return h.call(this, a, b);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
      break;
    case 3:
      guarded = function (this: unknown, a?: unknown, b?: unknown, c?: unknown) {
        try {
          return h.call(this, a, b, c);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
      break;
    case 4:
      guarded = function (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown) {
        try {
          return h.call(this, a, b, c, d);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
      break;
    default:
      guarded = function (this: unknown, ...args: unknown[]) {
        try {
          return (hook as unknown as (...rest: unknown[]) => unknown).apply(this, args);
        } catch (error) {
          onError(error);
          return undefined;
        }
      };
  }
  return guarded as unknown as F;
}

/**
 * For hooks that catch their own errors instead of being wrapped (the per-request hooks, the
 * event-loop tick): `context.guard(name, rethrow)` is a reporter that hands an error to the
 * guard, which counts and reports it. Unwrapped, a hook saves the wrapper's frame and its call
 * site shared by every guarded hook, which V8 cannot inline through.
 */
export function rethrow(error: unknown): never {
  throw error;
}
