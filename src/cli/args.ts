// A small, strict command-line parser: `--name value`, `--name=value`, boolean flags,
// an optional value only in the `--name=value` form, repeatable options, and `--` ending options.
import { UsageError } from './errors';

export interface OptionSpec {
  /** Without dashes: `out`, `max-bytes`. */
  name: string;
  /** `boolean`: a flag. `string`: needs a value. `optional`: `--name` or `--name=value`. */
  type: 'boolean' | 'string' | 'optional';
  multiple?: boolean;
  /** One-letter alias, e.g. `h` for help. */
  short?: string;
}

export interface ParsedArgs {
  options: Map<string, (string | true)[]>;
  positionals: string[];
  /** Everything after `--` (or after the first positional when `stopAtPositional`). */
  rest: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string, settings: { stopAtPositional?: boolean } = {}): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const result: ParsedArgs = { options: new Map(), positionals: [], rest: [] };
  const put = (spec: OptionSpec, value: string | true) => {
    const values = result.options.get(spec.name) ?? [];
    if (values.length > 0 && !spec.multiple) throw new UsageError(`--${spec.name} given twice`, command);
    values.push(value);
    result.options.set(spec.name, values);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      result.rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`, command);
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value`, command);
        put(spec, true);
      } else if (spec.type === 'optional') {
        put(spec, inline ?? true);
      } else if (inline !== undefined) {
        put(spec, inline);
      } else {
        const value = argv[i + 1];
        if (value === undefined || (value.startsWith('-') && value !== '-')) throw new UsageError(`--${name} needs a value`, command);
        put(spec, value);
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const spec = byShort.get(arg.slice(1));
      if (!spec || spec.type !== 'boolean') throw new UsageError(`unknown option ${arg}`, command);
      put(spec, true);
      continue;
    }
    if (settings.stopAtPositional) {
      result.rest = argv.slice(i);
      break;
    }
    result.positionals.push(arg);
  }
  return result;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.has(name);
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name)?.[0];
  return typeof value === 'string' ? value : undefined;
}

export function allStrings(args: ParsedArgs, name: string): string[] {
  return (args.options.get(name) ?? []).filter((v): v is string => typeof v === 'string');
}
