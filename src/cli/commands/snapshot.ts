// `flight-recorder snapshot <pid|all> [--reason TEXT] [--out DIR]`: asks recorded processes for
// a snapshot and prints each written file's path on its own line (stdout); problems go to
// stderr. `all` covers every recorded process of this user, one file per process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RegistryEntry } from '../../format/control';
import { DEFAULT_SNAPSHOT_TIMEOUT_MS, listProcesses, registryDirectory, snapshot, findProcess } from '../../client/index';
import { flag, parseArgs, stringOption, type OptionSpec } from '../args';
import { CommandError, UsageError } from '../errors';
import { parseDurationMs } from '../units';

export const snapshotHelp = `Usage: flight-recorder snapshot <pid|all> [--reason TEXT] [--out DIR] [--timeout SECONDS]

Asks a recorded process (or all of yours) to write a snapshot of its last seconds and prints
the path of each file written, one per line. Works while a process's main thread is stuck.

Options:
  --reason TEXT        why (stored in metadata.trigger.reason and the file name; default "manual")
  --out DIR            write here instead of each process's own snapshot directory
  --timeout SECONDS    give up on a process after this long (default ${DEFAULT_SNAPSHOT_TIMEOUT_MS / 1000})
  -h, --help           this help`;

const specs: OptionSpec[] = [
  { name: 'reason', type: 'string' },
  { name: 'out', type: 'string' },
  { name: 'timeout', type: 'string' },
  { name: 'help', type: 'boolean', short: 'h' },
];

export async function snapshotCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, specs, 'snapshot');
  if (flag(args, 'help')) {
    console.log(snapshotHelp);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'which process? (a pid, or all)' : 'one target at a time (a pid, or all)', 'snapshot');
  const target = args.positionals[0]!;
  if (target !== 'all' && !/^\d+$/.test(target)) throw new UsageError(`"${target}" is not a pid or "all"`, 'snapshot');
  const reason = stringOption(args, 'reason') ?? 'manual';
  if (reason.length > 200) throw new UsageError('--reason is longer than 200 characters', 'snapshot');
  const outOption = stringOption(args, 'out');
  const timeoutText = stringOption(args, 'timeout');
  const answerTimeoutMs = timeoutText === undefined ? DEFAULT_SNAPSHOT_TIMEOUT_MS : parseDurationMs(timeoutText, '--timeout', 's');
  // The recorded process has its own cwd: pass an absolute directory, and make it now.
  let out: string | undefined;
  if (outOption !== undefined) {
    out = path.resolve(outOption);
    try {
      fs.mkdirSync(out, { recursive: true });
    } catch (error) {
      throw new CommandError(`cannot create ${out}: ${(error as Error).message}`);
    }
  }

  const targets: RegistryEntry[] = target === 'all' ? await listProcesses() : [await findProcess(Number(target))];
  if (targets.length === 0) throw new CommandError(`no recorded processes (registry: ${registryDirectory()}); start one with flight-recorder run -- node app.js`);
  const request = out === undefined ? { reason } : { reason, out };
  let failures = 0;
  // All at once: a tree of processes is snapshotted at (nearly) the same moment.
  await Promise.all(targets.map(async (entry) => {
    try {
      const result = await snapshot(entry, request, { answerTimeoutMs });
      console.log(result.path);
    } catch (error) {
      failures++;
      console.error(`flight-recorder snapshot: ${(error as Error).message}`);
    }
  }));
  return failures === 0 ? 0 : 1;
}
