// V8's `--perf-basic-prof` map (/tmp/perf-<pid>.map) only grows: when V8 frees code and reuses
// its address, the new code gets a line of its own and the old line stays. perf then names a
// sample at that address by whichever line it picks — often the older — so a long-running
// process's samples in Node's own code came out as a recorder function (a run after four
// minutes of load credited 999 samples of `resOnFinish`, `detachSocket` and the timers to a
// recorder `read`). Code alive when the samples are taken is the newest there, so this keeps,
// wherever lines overlap, only the newest.
import { readFileSync, writeFileSync } from 'node:fs';

/** Rewrites the map at `path` with overlapped older lines removed; returns how many it removed. */
export function keepNewestPerfMapLines(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  const entries = [];
  for (let index = 0; index < lines.length; index++) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) /i.exec(lines[index]);
    if (!match) continue;
    const start = parseInt(match[1], 16);
    entries.push({ start, end: start + parseInt(match[2], 16), index });
  }
  entries.sort((a, b) => a.start - b.start || a.index - b.index);
  const dropped = new Set();
  // Lines overlap only within a run of entries that chain into each other: resolve each run
  // newest first, keeping a line only if no newer kept line overlaps it.
  for (let from = 0; from < entries.length; ) {
    let to = from + 1;
    let runEnd = entries[from].end;
    while (to < entries.length && entries[to].start < runEnd) runEnd = Math.max(runEnd, entries[to++].end);
    if (to - from > 1) {
      const kept = [];
      for (const entry of entries.slice(from, to).sort((a, b) => b.index - a.index)) {
        if (kept.some((k) => entry.start < k.end && k.start < entry.end)) dropped.add(entry.index);
        else kept.push(entry);
      }
    }
    from = to;
  }
  if (dropped.size > 0) writeFileSync(path, lines.filter((_, index) => !dropped.has(index)).join('\n') + '\n');
  return dropped.size;
}
