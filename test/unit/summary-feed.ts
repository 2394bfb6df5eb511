// Feeds a summary builder as the hosts read files: chunks copied into one reused buffer, which
// is scribbled over after each chunk (the builder must have copied what it keeps).
import type { EventSummaryBuilder } from '../../src/format/event-summary-builder';

export function feedInChunks(builder: EventSummaryBuilder, bytes: Uint8Array, chunkBytes: number): void {
  const buffer = new Uint8Array(chunkBytes);
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    const n = Math.min(chunkBytes, bytes.length - at);
    buffer.set(bytes.subarray(at, at + n));
    builder.feed(buffer.subarray(0, n));
    buffer.fill(0x7b);
  }
}
