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

/** An arena with no buffer: every array new (it keeps no state, so one serves everyone). */
export const NO_ARENA = new MemoryArena(undefined);

export const PAGE_BYTES = 4096;

/** Whether `buffer` is shared memory (false where the platform has none). */
export function isSharedMemory(buffer: ArrayBufferLike | undefined): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/**
 * Touches the pages of shared memory another thread is about to fill (an atomic OR with 0: a
 * value that thread wrote meanwhile stays), a slice at a time, `limit()` of each buffer's length
 * at most: the share its writer is about to reach. Touching runs just ahead of the writer —
 * spread over its work, not in one burst that takes a core from it while the machine is busy,
 * and never on pages it does not reach. `yieldThen` runs the next slice (setImmediate in Node:
 * the thread keeps answering in between), `waitThen` the next look at `limit` once it is
 * reached; `onDone` hears when every page is touched. Returns a function that stops it.
 */
export function prefaultShared(
  buffers: readonly SharedArrayBuffer[],
  { limit = () => 1, yieldThen, waitThen = yieldThen, sliceMs = 4, onDone }: {
    limit?: () => number;
    yieldThen: (next: () => void) => void;
    waitThen?: (next: () => void) => void;
    sliceMs?: number;
    onDone?: () => void;
  },
): () => void {
  const WORDS_PER_PAGE = PAGE_BYTES / 4;
  const views = buffers.map((buffer) => new Int32Array(buffer, 0, buffer.byteLength >>> 2));
  const largestWords = Math.max(0, ...views.map((view) => view.length));
  /** Touched so far: this share of every buffer. */
  let done = 0;
  let stopped = false;
  const slice = () => {
    if (stopped) return;
    const until = performance.now() + sliceMs;
    const allowed = Math.min(1, Math.max(0, limit()));
    // Steps of 64 pages of the largest buffer (and the same share of the others).
    const step = largestWords > 0 ? (64 * WORDS_PER_PAGE) / largestWords : 1;
    while (done < allowed && performance.now() < until) {
      const from = done;
      done = Math.min(allowed, done + step);
      for (const view of views) {
        const end = Math.min(view.length, Math.ceil((done * view.length) / WORDS_PER_PAGE) * WORDS_PER_PAGE);
        for (let w = Math.floor((from * view.length) / WORDS_PER_PAGE) * WORDS_PER_PAGE; w < end; w += WORDS_PER_PAGE) Atomics.or(view, w, 0);
      }
    }
    if (done >= 1) onDone?.();
    else if (done < allowed) yieldThen(slice);
    else waitThen(slice);
  };
  slice();
  return () => {
    stopped = true;
  };
}
