// Typed arrays carved out of one buffer that another thread (or an idle moment) made resident
// ahead of use. On the VMs measured here the first write to each 4 KiB page of fresh memory
// costs ~20 µs (docs/benchmarks.md: ~5 ms per MB), and a summary's span layout or a page's
// model writes tens of MB of new arrays on the way to the first frame. An arena whose pages
// were touched while a core idled moves those faults off that path; whatever does not fit is
// allocated as usual. Memory handed out is zero, like a new typed array's, as long as whoever
// touches the pages writes zeros (or ORs with 0, for shared memory already in use).

type ArrayType<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

export class MemoryArena {
  private offsetBytes: number;

  /** From `startBytes` of `buffer` on; `buffer` undefined: an arena that hands out new arrays only. */
  constructor(readonly buffer: ArrayBufferLike | undefined, startBytes = 0) {
    this.offsetBytes = startBytes;
  }

  /** Where the next array would start (bytes handed out so far, from the buffer's start). */
  get usedBytes(): number {
    return this.offsetBytes;
  }

  float64(length: number): Float64Array {
    return this.take(Float64Array, length);
  }

  int32(length: number): Int32Array {
    return this.take(Int32Array, length);
  }

  uint8(length: number): Uint8Array {
    return this.take(Uint8Array, length);
  }

  private take<T>(Type: ArrayType<T>, length: number): T {
    const width = Type.BYTES_PER_ELEMENT;
    const at = Math.ceil(this.offsetBytes / width) * width;
    if (this.buffer === undefined || at + length * width > this.buffer.byteLength) return new Type(length);
    this.offsetBytes = at + length * width;
    return new Type(this.buffer, at, length);
  }
}

export const PAGE_BYTES = 4096;

/**
 * Touches every page of `groups` of buffers, one group after the other (shared memory another
 * thread may be writing: an atomic OR with 0 cannot undo its writes), a slice at a time. The
 * buffers of a group are made resident from their starts at the same pace — a writer filling
 * several columns at once finds the pages ahead of it in all of them. `yieldThen` runs the next
 * slice (setImmediate in Node: the thread keeps answering in between); `onDone` hears when
 * every page is touched. Returns a function that stops it (and lets the buffers go).
 */
export function prefaultShared(
  groups: readonly (readonly SharedArrayBuffer[])[],
  { yieldThen, sliceMs = 4, onDone }: { yieldThen: (next: () => void) => void; sliceMs?: number; onDone?: () => void },
): () => void {
  const WORDS_PER_PAGE = PAGE_BYTES / 4;
  const STEP_BYTES = 64 * PAGE_BYTES;
  let pending = groups.map((buffers) => buffers.map((buffer) => new Int32Array(buffer, 0, buffer.byteLength >>> 2)));
  // Progress in the current group, in bytes of its largest buffer.
  let doneBytes = 0;
  let stopped = false;
  const slice = () => {
    if (stopped) return;
    const until = performance.now() + sliceMs;
    while (pending.length > 0 && performance.now() < until) {
      const views = pending[0]!;
      const largestBytes = Math.max(0, ...views.map((view) => view.length * 4));
      if (largestBytes === 0) {
        pending = pending.slice(1);
        continue;
      }
      const from = doneBytes / largestBytes;
      doneBytes = Math.min(largestBytes, doneBytes + STEP_BYTES);
      const to = doneBytes / largestBytes;
      // In each buffer, the pages of the same share of its length.
      for (const view of views) {
        const end = Math.min(view.length, Math.ceil((to * view.length) / WORDS_PER_PAGE) * WORDS_PER_PAGE);
        for (let w = Math.floor((from * view.length) / WORDS_PER_PAGE) * WORDS_PER_PAGE; w < end; w += WORDS_PER_PAGE) Atomics.or(view, w, 0);
      }
      if (doneBytes >= largestBytes) {
        pending = pending.slice(1);
        doneBytes = 0;
      }
    }
    if (pending.length > 0) yieldThen(slice);
    else onDone?.();
  };
  slice();
  return () => {
    stopped = true;
    pending = [];
  };
}
