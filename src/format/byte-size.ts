// Sizes as people read them, shared by the viewer and the extension (a ring's use, a snapshot
// file's size): "12 KiB", "3.7 MiB".

/** A size in bytes in the unit that shows it best, from a few records to a whole ring. */
export function formatBinaryBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
