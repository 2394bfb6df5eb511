// Where a callgrind dump's instructions (and simulated cache misses) went, by kind of code: the
// recorder's JavaScript, Node's, the app's (its packages included), V8's builtins, the garbage
// collector, V8's compilers, other native code. Callgrind names JIT code only by its address;
// V8's perf map (`node --perf-basic-prof`, /tmp/perf-<pid>.map: start, size, name per compiled
// function) names it, as perf itself would.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KINDS = ["recorder's JS", "Node's JS", "app's JS", "V8's builtins", 'garbage collector', "V8's compilers", 'other native', 'JIT code not in the map'];

/** V8's perf map of process `pid`, sorted by start address: [start, end, name][]. */
export function readPerfMap(pid) {
  const entries = [];
  for (const line of readFileSync(`/tmp/perf-${pid}.map`, 'utf8').split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match) entries.push([parseInt(match[1], 16), parseInt(match[1], 16) + parseInt(match[2], 16), match[3]]);
  }
  return entries.sort((a, b) => a[0] - b[0]);
}

/** The entry covering `address` with the closest start (code addresses are reused: of entries with one start, the later line). */
function nameAt(map, address) {
  let low = 0;
  let high = map.length - 1;
  let last = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (map[mid][0] <= address) {
      last = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  for (let i = last; i >= 0 && i > last - 64; i--) if (address < map[i][1]) return map[i][2];
  return undefined;
}

/** TurboFan, Maglev, Sparkplug and the parser (optimising the hot code runs partly on the main thread). */
const COMPILER = /v8::internal::(compiler|maglev|baseline)::|BaselineCompiler|v8::internal::Parser|Compiler::|OptimizingCompile/;
const GC = /Scaveng|v8::internal::Heap::|MarkCompact|Sweeper|ConcurrentMarking|MinorM|GCTracer|MarkingVisitor|MemoryAllocator|IncrementalMarking|EvacuateVisitor/;

function kindOf(name, map, recorderDir) {
  const hex = /^0x([0-9a-f]+)$/.exec(name);
  if (hex) {
    const js = nameAt(map, parseInt(hex[1], 16));
    if (js === undefined) return KINDS[7];
    if (!js.startsWith('JS:')) return KINDS[3]; // V8's stubs and bytecode handlers, named by the map
    if (js.includes(recorderDir)) return KINDS[0];
    if (/ node:/.test(js)) return KINDS[1];
    return KINDS[2]; // the app and its packages
  }
  if (name.startsWith('Builtins_')) return KINDS[3];
  if (GC.test(name)) return KINDS[4];
  if (COMPILER.test(name)) return KINDS[5];
  return KINDS[6];
}

/** The file of the newest dump of thread 1 (the main thread) in `dir`, for callgrind's `--separate-threads=yes` names `<base>.<dump>-01`. */
export function newestMainThreadDump(dir, base) {
  const dumps = readdirSync(dir)
    .map((file) => ({ file, match: new RegExp(`^${base}\\.(\\d+)-01$`).exec(file) }))
    .filter((entry) => entry.match)
    .sort((a, b) => Number(b.match[1]) - Number(a.match[1]));
  if (dumps.length === 0) throw new Error(`no main-thread dump ${base}.N-01 in ${dir}`);
  return join(dir, dumps[0].file);
}

/**
 * Each function's own costs in a callgrind dump, one number per event (`events:` line: Ir, and
 * with --cache-sim=yes the simulated cache's reads, writes and misses), read from the file
 * itself: a cost line after `fn=` is that function's own; the line after a `calls=` is the
 * callee's inclusive cost, left out (callgrind_annotate adds those in for frames it cannot
 * place, such as JIT code). Names are compressed: `fn=(12) name` (or `cfn=(12) name`) defines
 * 12, a later `fn=(12)` refers to it.
 */
export function selfCosts(dumpFile) {
  const names = new Map();
  const self = new Map();
  let events = ['Ir'];
  let current = '';
  let callCost = false;
  for (const line of readFileSync(dumpFile, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) {
      const match = /^fn=(?:\((\d+)\))? ?(.*)$/.exec(line);
      if (match[1] !== undefined && match[2] !== '') names.set(match[1], match[2]);
      current = match[2] !== '' ? match[2] : (names.get(match[1]) ?? match[1]);
    } else if (line.startsWith('cfn=')) {
      // A callee's name may be defined here first (fn and cfn share one table).
      const match = /^cfn=\((\d+)\) (.+)$/.exec(line);
      if (match) names.set(match[1], match[2]);
    } else if (line.startsWith('calls=')) callCost = true;
    else if (/^([+-]?\d|\*)/.test(line)) {
      if (callCost) callCost = false;
      else {
        // Position, then the events in order; trailing zeros may be left out.
        const fields = line.split(' ');
        let costs = self.get(current);
        if (costs === undefined) self.set(current, (costs = events.map(() => 0)));
        for (let i = 1; i < fields.length && i <= events.length; i++) costs[i - 1] += Number(fields[i]);
      }
    } else if (line.startsWith('events:')) events = line.slice('events:'.length).trim().split(/\s+/);
  }
  return { events, self };
}

/** What is counted per kind of code: instructions, and with the cache simulated, misses in the first level (I1 + D1) and in the last (LL). */
export const MEASURES = { instructions: ['Ir'], 'L1 misses': ['I1mr', 'D1mr', 'D1mw'], 'LL misses': ['ILmr', 'DLmr', 'DLmw'] };

/**
 * The dump's costs by kind of code: `{ [kind]: { instructions, 'L1 misses', 'LL misses' } }`
 * (misses 0 without the cache simulated). `recorderDir`: the directory the recorder's bundle was
 * loaded from (its code is named by that path).
 */
export function costsByKind(dumpFile, map, recorderDir) {
  const { events, self } = selfCosts(dumpFile);
  const columns = Object.fromEntries(Object.entries(MEASURES).map(([measure, names]) => [measure, names.map((name) => events.indexOf(name)).filter((index) => index >= 0)]));
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, Object.fromEntries(Object.keys(MEASURES).map((measure) => [measure, 0]))]));
  for (const [name, costs] of self) {
    const totals = byKind[kindOf(name.replace(/'\d+$/, ''), map, recorderDir)];
    for (const [measure, indexes] of Object.entries(columns)) for (const index of indexes) totals[measure] += costs[index];
  }
  return byKind;
}
