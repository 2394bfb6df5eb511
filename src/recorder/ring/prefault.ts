// A ring's memory made resident up front, by the watchdog thread (the main thread's ring at
// start, each worker thread's when it is first announced). A fresh SharedArrayBuffer
// is untouched zero pages: without this, the program's own thread takes a page fault (a few µs
// each on a VM) every 4 KiB of records and strings it writes until the ring has wrapped once —
// over the first minutes of a service, right on its request path (perf showed a third of the
// recorder's per-request cost in the kernel's fault path). One write per page from the
// watchdog moves those faults off the program's thread, once. The write is an atomic OR with
// 0, so it cannot undo a record the main thread writes to the same word meanwhile.
// The ring is resident from the start (RSS + maxBytes at once, instead of growing to it).

const PAGE_BYTES = 4096;

export function prefaultRing(ring: SharedArrayBuffer): void {
  const words = new Int32Array(ring, 0, ring.byteLength >>> 2);
  const stride = PAGE_BYTES >>> 2;
  for (let index = 0; index < words.length; index += stride) Atomics.or(words, index, 0);
}
