// Entry of dist/cli.js (the package's `flight-recorder` bin). Dispatches to one command; turns
// failures into exit codes: 2 for bad usage (one line, pointing at --help), 1 for files and
// processes that cannot be read or reached (one clear line), the child's own code for `run`.
import { ControlError, RegistryError } from '../client/index';
import { listCommand } from './commands/list';
import { runCommand } from './commands/run';
import { snapshotCommand } from './commands/snapshot';
import { summaryCommand } from './commands/summary';
import { validateCommand } from './commands/validate';
import { viewCommand } from './commands/view';
import { CommandError, UsageError } from './errors';

const mainHelp = `Usage: flight-recorder <command> [options]

Node Flight Recorder keeps the last seconds of a Node program's runtime events in memory and
writes them to a snapshot when something goes wrong, or when you ask.

Commands:
  run [options] -- <command...>     run a command with the recorder preloaded
  snapshot <pid|all> [--reason T]   write a snapshot of a recorded process (prints the path)
  list [--json]                     recorded processes of this user, as a tree
  summary <file> [--json]           slowest requests, loop blocks, GC, errors, hot functions
  validate <file>                   check a snapshot against the trace format
  view <file> [--port N]            open the timeline viewer in a browser (127.0.0.1)

Run 'flight-recorder <command> --help' for a command's options.`;

const commands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  run: runCommand,
  snapshot: snapshotCommand,
  list: listCommand,
  summary: summaryCommand,
  validate: validateCommand,
  view: viewCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && commands[rest[0]]) return commands[rest[0]]!(['--help']);
    console.log(mainHelp);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const where = error.command ? `flight-recorder ${error.command}` : 'flight-recorder';
      console.error(`${where}: ${error.message} (see ${where} --help)`);
      return 2;
    }
    if (error instanceof CommandError || error instanceof ControlError || error instanceof RegistryError) {
      console.error(`flight-recorder ${name}: ${error.message}`);
      return 1;
    }
    console.error(`flight-recorder ${name}: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
