// The periodic work sources hand to SourceContext.onLoopTick, run by the event-loop source's
// tick (SourceContext.runLoopTickWork): one list per thread's set of sources.
import type { SourceContext } from './contracts';

export interface LoopTickWork extends Pick<SourceContext, 'onLoopTick' | 'runLoopTickWork'> {
  /** Pieces of work registered and not yet stopped. */
  readonly size: number;
}

export function createLoopTickWork(): LoopTickWork {
  const work: (() => void)[] = [];
  return {
    onLoopTick: (piece) => {
      work.push(piece);
      return () => {
        const index = work.indexOf(piece);
        if (index >= 0) work.splice(index, 1);
      };
    },
    // Each piece guards its own errors (SourceContext.guard).
    runLoopTickWork: () => {
      for (let i = 0; i < work.length; i++) work[i]!();
    },
    get size() {
      return work.length;
    },
  };
}
