// The two ways a command fails, each with its exit code: bad usage (2) and a problem with the
// files or processes it was pointed at (1). main.ts prints them as one line.

/** Exit 2: the command line is wrong. `command` names whose --help to point at. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

/** Exit 1: a file is missing or corrupt, a process does not answer, ... */
export class CommandError extends Error {
  override name = 'CommandError';
}
