// Child processes inherit the recorder through NODE_OPTIONS: `--require <this bundle>` is added
// to this process's environment, which spawn/fork/exec and cluster pass on by default. Children
// then register themselves with their own pid and ppid. A child given an explicit `env` without
// NODE_OPTIONS is not recorded (the program chose its environment).

/** Quotes a path the way NODE_OPTIONS' parser reads it. */
export function quoteForNodeOptions(path: string): string {
  return /[\s"\\]/.test(path) ? `"${path.replace(/(["\\])/g, '\\$1')}"` : path;
}

/** NODE_OPTIONS with `--require <recorderPath>` added unless it already loads it. */
export function nodeOptionsWithRecorder(current: string | undefined, recorderPath: string): string {
  const existing = current ?? '';
  if (existing.includes(recorderPath)) return existing;
  const flag = `--require ${quoteForNodeOptions(recorderPath)}`;
  return existing.trim() === '' ? flag : `${flag} ${existing}`;
}

export function inheritRecorder(recorderPath: string, env: NodeJS.ProcessEnv = process.env): void {
  env.NODE_OPTIONS = nodeOptionsWithRecorder(env.NODE_OPTIONS, recorderPath);
}
