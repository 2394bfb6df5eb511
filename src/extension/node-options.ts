// NODE_OPTIONS and FLIGHT_RECORDER for programs that should run with the recorder preloaded.
// Pure (no vscode), so the quoting rules are unit-tested.
import type { RecorderOptions } from '../format/config';

/**
 * `--require <path>` as NODE_OPTIONS spells it. NODE_OPTIONS splits on spaces but honours
 * double quotes with backslash escapes, so a path with spaces or quotes survives.
 */
export function requireOption(recorderPath: string): string {
  if (/^[^\s"\\]+$/.test(recorderPath)) return `--require=${recorderPath}`;
  return `--require="${recorderPath.replace(/(["\\])/g, '\\$1')}"`;
}

/** Prepends the recorder to the user's NODE_OPTIONS once (a second prepend is a no-op). */
export function prependNodeOptions(recorderPath: string, existing: string | undefined): string {
  const ours = requireOption(recorderPath);
  const rest = (existing ?? '').trim();
  if (rest.includes(recorderPath)) return rest;
  return rest ? `${ours} ${rest}` : ours;
}

/** Deep-merges recorder options: later objects win key by key; `triggers` and `redact` merge too. */
export function mergeRecorderOptions(...layers: Array<RecorderOptions | undefined>): RecorderOptions {
  const merged: RecorderOptions = {};
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    for (const [key, value] of Object.entries(layer) as Array<[keyof RecorderOptions, unknown]>) {
      if (value === undefined) continue;
      if ((key === 'triggers' || key === 'redact') && value && typeof value === 'object' && !Array.isArray(value)) {
        merged[key] = { ...(merged[key] as object | undefined), ...(value as object) } as never;
      } else {
        (merged as Record<string, unknown>)[key] = value;
      }
    }
  }
  return merged;
}

/** POSIX shell single-quoting (bash, zsh, sh, fish accept it for plain paths). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell single-quoting, with the call operator needed for a quoted program. */
export function powershellQuote(word: string): string {
  return `'${word.replace(/'/g, "''")}'`;
}
