// Every wait on another process (a recorded program, a debug adapter) has a time bound, so a
// stuck or dying target gives the user a message instead of a spinner that never ends.

/** Resolves or rejects as `work` does, or rejects with `message` after `timeoutMs`. */
export function withDeadline<T>(work: PromiseLike<T>, timeoutMs: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), timeoutMs);
    Promise.resolve(work).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
