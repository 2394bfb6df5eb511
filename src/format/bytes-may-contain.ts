// The quick test every args search starts with, before any JSON is parsed: can these bytes of
// an event's line hold a string containing the needle? Used for args in the page's memory
// (scanned lines, the summary's inline args) and by the host over args left in the file.

/**
 * False when bytes [start, end) certainly hold no string containing `needle` (lower-case ASCII
 * bytes): they are plain ASCII without escapes and lack its bytes, case-insensitively. Bytes
 * with an escape or a non-ASCII byte may hold anything: true. Without a needle (a non-ASCII
 * one), true only for such bytes.
 */
export function bytesMayContain(b: Uint8Array, start: number, end: number, needle: Uint8Array | undefined): boolean {
  const first = needle?.[0];
  const last = needle ? end - needle.length : end;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x5c || c >= 0x80) return true;
    if (needle === undefined || i > last || lower(c) !== first) continue;
    let k = 1;
    while (k < needle.length && lower(b[i + k]!) === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}
