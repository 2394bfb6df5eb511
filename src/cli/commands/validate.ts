// `flight-recorder validate <file> [--json] [--strict|--lenient]`: every violation of the trace
// format, with the index of the event that breaks it. Exit 0 when valid, 1 when not.
import { validateSnapshot } from '../../format/validate';
import { flag, parseArgs, stringOption, type OptionSpec } from '../args';
import { CommandError, UsageError } from '../errors';
import { oneLine } from '../table';
import { readTraceText } from '../trace-file';
import { parseTraceText } from '../../format/read';

export const validateHelp = `Usage: flight-recorder validate <file> [--json] [--strict | --lenient] [--max N]

Checks a snapshot against the trace format (docs/trace-format.md) and lists every violation
with the index of the event that breaks it. Our snapshots are checked strictly (metadata,
window, categories, async pairs, CPU profile chunks); other Chrome traces leniently.
Exit status: 0 valid, 1 violations or an unreadable file, 2 bad usage.

Options:
  --strict    check as a Node Flight Recorder snapshot even without its metadata
  --lenient   check only what any Chrome trace must satisfy
  --max N     list at most N violations (default 100; the count is always complete)
  --json      print { valid, kind, violations } as JSON
  -h, --help  this help`;

const specs: OptionSpec[] = [
  { name: 'json', type: 'boolean' },
  { name: 'strict', type: 'boolean' },
  { name: 'lenient', type: 'boolean' },
  { name: 'max', type: 'string' },
  { name: 'help', type: 'boolean', short: 'h' },
];

export async function validateCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, specs, 'validate');
  if (flag(args, 'help')) {
    console.log(validateHelp);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing the file to validate' : 'one file at a time', 'validate');
  if (flag(args, 'strict') && flag(args, 'lenient')) throw new UsageError('--strict and --lenient exclude each other', 'validate');
  const maxText = stringOption(args, 'max');
  const max = maxText === undefined ? 100 : Number(maxText);
  if (!Number.isSafeInteger(max) || max < 1) throw new UsageError(`--max ${maxText}: not a positive whole number`, 'validate');
  const file = args.positionals[0]!;
  const text = readTraceText(file);
  // The reader gives the clear message for empty / cut / non-JSON files.
  const parsed = parseTraceText(text, file);
  if ('error' in parsed) throw new CommandError(parsed.error);
  if (parsed.kind === 'cpuprofile') {
    if (flag(args, 'json')) console.log(JSON.stringify({ file, kind: parsed.kind, valid: true, violationCount: 0, violations: [] }, null, 2));
    else console.log(`${file}: a valid .cpuprofile (${parsed.trace.traceEvents.length} events once converted)`);
    return 0;
  }
  const mode = flag(args, 'strict') ? 'strict' : flag(args, 'lenient') ? 'lenient' : 'auto';
  const violations = validateSnapshot(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), { mode });
  if (flag(args, 'json')) {
    console.log(JSON.stringify({ file, kind: parsed.kind, valid: violations.length === 0, violationCount: violations.length, violations: violations.slice(0, max) }, null, 2));
    if (violations.length > 0) console.error(`flight-recorder validate: ${file} is not valid: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
    return violations.length === 0 ? 0 : 1;
  }
  if (violations.length === 0) {
    console.log(`${file}: valid ${parsed.kind === 'snapshot' ? 'snapshot' : 'Chrome trace'} (${parsed.trace.traceEvents.length} events)`);
    return 0;
  }
  // The list is the result (stdout); the verdict also goes to stderr, where failures are read.
  console.error(`flight-recorder validate: ${file} is not valid: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
  for (const v of violations.slice(0, max)) {
    const where = v.index === null ? 'file' : `event ${v.index}`;
    console.log(`  ${where}${v.path ? ` (${v.path})` : ''}: ${oneLine(v.message)}`);
  }
  if (violations.length > max) console.log(`  … and ${violations.length - max} more (--max N to list more)`);
  return 1;
}
