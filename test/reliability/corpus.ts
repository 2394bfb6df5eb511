// Inputs for the reader tests: a synthetic snapshot with every phase and category the recorder
// writes (the fuzzer's seed), hostile strings for the viewer, and mutations driven by a seeded PRNG.

/** Strings that would run script if any reader turned data into markup or a URL. */
export const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  '"><svg onload="window.__pwned=3">',
  "'><iframe srcdoc=\"<script>parent.__pwned=4</script>\">",
  'javascript:window.__pwned=5',
  '<style>*{display:none}</style><b onmouseover="window.__pwned=6">hover</b>',
  '${window.__pwned=7}{{constructor.constructor("window.__pwned=8")()}}',
  '\u202Egnp.exe\u0000\uFFFF\uD800',
];

export const hostile = (i: number): string => HOSTILE[i % HOSTILE.length] as string;

export interface SyntheticOptions {
  /** HTTP requests (each a b/e pair); the other kinds scale with it. */
  requests?: number;
  /** Put hostile strings into every string field. */
  hostile?: boolean;
}

/** A valid snapshot-shaped object exercising every phase, category and args shape. */
export function syntheticSnapshot(options: SyntheticOptions = {}): { traceEvents: Array<Record<string, unknown>>; metadata: Record<string, unknown> } {
  const requests = options.requests ?? 20;
  const h = options.hostile ?? false;
  const text = (plain: string, i: number) => (h ? `${plain} ${hostile(i)}` : plain);
  const pid = 4242;
  const start = 1_000_000;
  const events: Array<Record<string, unknown>> = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, cat: '__metadata', args: { name: text('server.js', 0) } },
    { name: 'thread_name', ph: 'M', ts: 0, pid, tid: 0, cat: '__metadata', args: { name: text('main', 1) } },
    { name: 'thread_name', ph: 'M', ts: 0, pid, tid: 1, cat: '__metadata', args: { name: text('worker 1', 2) } },
  ];
  const frame = (i: number) => ({
    functionName: text('handler', i),
    url: h ? hostile(i + 4) : `/srv/app/routes/r${i % 3}.js`,
    lineNumber: 10 + (i % 7),
    columnNumber: 3,
  });
  for (let i = 0; i < requests; i++) {
    const ts = start + i * 1000;
    const args: Record<string, unknown> = { method: 'GET', url: text(`/hello?token=***&i=${i}`, i), headers: { 'user-agent': text('ua', i + 1) } };
    if (h) args[hostile(i)] = hostile(i + 1);
    events.push({ name: text(`GET /hello`, i), cat: h ? hostile(i + 2) : 'http.server', ph: 'b', id: `0x${i.toString(16)}`, ts, pid, tid: 0, args });
    events.push({ name: text(`GET /hello`, i), cat: h ? hostile(i + 2) : 'http.server', ph: 'e', id: `0x${i.toString(16)}`, ts: ts + 400 + (i % 5) * 50, pid, tid: 0, args: { status: 200 } });
    events.push({ name: text('GET http://127.0.0.1/x', i + 3), cat: 'http.client', ph: 'b', id: `c${i}`, ts: ts + 10, pid, tid: 1, args: { method: 'GET', url: text('http://127.0.0.1/x', i), api: 'fetch' } });
    events.push({ name: text('GET http://127.0.0.1/x', i + 3), cat: 'http.client', ph: 'e', id: `c${i}`, ts: ts + 200, pid, tid: 1, args: { status: 500, error: text('ECONNRESET', i) } });
    if (i % 4 === 0) events.push({ name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: ts + 500, dur: 300 + i, pid, tid: 0, args: { thresholdMs: 50, frames: [frame(i), frame(i + 1)] } });
    if (i % 3 === 0) events.push({ name: 'GC (minor)', cat: 'gc', ph: 'X', ts: ts + 50, dur: 120, pid, tid: 0, args: { kind: 'minor' } });
    events.push({ name: 'Memory', cat: 'memory', ph: 'C', ts: ts + 1, pid, tid: 0, args: { heapUsedMB: 10 + i, heapTotalMB: 40, rssMB: 80, externalMB: 2 } });
    events.push({ name: 'Event loop delay', cat: 'eventloop', ph: 'C', ts: ts + 2, pid, tid: 0, args: { p50Ms: 1, p99Ms: 2 + i, maxMs: 3 + i } });
    events.push({ name: text('console.log', i), cat: 'console', ph: 'i', s: 't', ts: ts + 3, pid, tid: 0, args: { text: text('served a request', i), stream: 'stdout' } });
    events.push({ name: text('user region', i), cat: 'user', ph: 'X', ts: ts + 20, dur: 30, pid, tid: 1, args: { [text('key', i)]: text('value', i + 2), nested: { deeper: [text('x', i), 1, null, true] } } });
    if (i % 5 === 1) {
      events.push({ name: 'flow', cat: 'async', ph: 's', id: 100 + i, ts: ts + 5, pid, tid: 0 });
      events.push({ name: 'flow', cat: 'async', ph: 'f', bp: 'e', id: 100 + i, ts: ts + 25, pid, tid: 0 });
    }
  }
  const end = start + requests * 1000 + 1000;
  events.push({ name: 'Uncaught exception', cat: 'error', ph: 'i', s: 'p', ts: end - 600, pid, tid: 0, args: { message: text('boom', 3), name: 'Error', stack: `Error: ${text('boom', 3)}\n    at ${text('handler', 1)} (${h ? hostile(4) : '/srv/app/x.js'}:1:2)`, frames: [frame(0), frame(1)] } });
  events.push({ name: 'Profile', cat: 'cpu', ph: 'P', id: '0x1', ts: start, pid, tid: 0, args: { data: { startTime: start } } });
  events.push({
    name: 'ProfileChunk', cat: 'cpu', ph: 'P', id: '0x1', ts: start, pid, tid: 0,
    args: { data: { cpuProfile: { nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', scriptId: 0, lineNumber: -1, columnNumber: -1 } },
      { id: 2, parent: 1, callFrame: { functionName: text('hotLoop', 5), url: h ? hostile(4) : 'file:///srv/app/hot.js', scriptId: 1, lineNumber: 4, columnNumber: 2 } },
      { id: 3, parent: 2, callFrame: { functionName: text('inner', 6), url: 'file:///srv/app/hot.js', scriptId: 1, lineNumber: 9, columnNumber: 2 } },
    ], samples: [2, 3, 3, 2, 3] }, timeDeltas: [100, 100, 100, 100, 100] } },
  });
  events.push({ name: 'Snapshot trigger', cat: 'trigger', ph: 'i', s: 'g', ts: end - 500, pid, tid: 0, args: { reason: text('manual', 7) } });
  const metadata: Record<string, unknown> = {
    format: 'node-flight-recorder', version: 1, pid, ppid: 1, programName: text('server.js', 1),
    argv: [text('/usr/bin/node', 0), text('/srv/app/server.js', 2), text('--port=1', 3)],
    nodeVersion: 'v20.20.2', platform: 'linux', arch: 'x64', cwd: text('/srv/app', 5), hostname: text('host', 6),
    trigger: { reason: text('manual', 7), source: text('control', 0), ts: end - 500, location: text('/srv/app/x.js:1', 1) },
    window: { startTs: start - 1000, endTs: end },
    droppedEvents: 0,
    recorder: { version: '0.1.0', maxBytes: 10485760, minAgeMs: 10000, usedBytes: 1000, hookErrors: 0 },
  };
  if (h) metadata[hostile(0)] = hostile(1);
  return { traceEvents: events, metadata };
}

// ---------------------------------------------------------------------------------------------
// The mutation fuzzer: each case is reproducible from (seed, case index).

const JSON_CHARS = '{}[]",:0123456789-+.eE\\ntrufalsTRUE \n\t\u0000\u00e9\u2028\ud83d';
const HOSTILE_VALUES: unknown[] = [
  null, true, false, 0, -1, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 1.5, '', 'x'.repeat(100_000),
  [], {}, [[[[[[[[[[[]]]]]]]]]]], JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: { polluted: 1 } } },
  'NaN', 'Infinity', '-1', '1e400', '\u0000', '<img src=x onerror="window.__pwned=1">', new Array(1000).fill(0),
];

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: Random, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** Every container (object or array) in a parsed document, with the keys that hold children. */
function containers(root: unknown, limit = 5000): Array<Record<string, unknown> | unknown[]> {
  const found: Array<Record<string, unknown> | unknown[]> = [];
  const stack: unknown[] = [root];
  while (stack.length && found.length < limit) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    found.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) stack.push(child);
  }
  return found;
}

/** A structural mutation: replace, delete or retype a random value somewhere in the document. */
function mutateStructure(random: Random, text: string): string {
  const root = JSON.parse(text) as unknown;
  const all = containers(root);
  const times = between(random, 1, 4);
  for (let t = 0; t < times; t++) {
    const target = pick(random, all) as Record<string, unknown>;
    const keys = Object.keys(target);
    if (keys.length === 0) continue;
    const key = pick(random, keys);
    const action = random();
    if (action < 0.2) delete target[key];
    else if (action < 0.35) target[pick(random, ['ph', 'ts', 'dur', 'pid', 'tid', 'args', 'name', 'cat', 'id', 'traceEvents', 'metadata', 'window', 'trigger', '__proto__'])] = pick(random, HOSTILE_VALUES);
    else target[key] = structuredCloneSafe(pick(random, HOSTILE_VALUES));
  }
  return JSON.stringify(root);
}

function structuredCloneSafe(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value;
}

/** A byte-level mutation of the text. */
function mutateText(random: Random, text: string): string {
  const action = random();
  const at = between(random, 0, Math.max(0, text.length - 1));
  if (action < 0.25) return text.slice(0, at); // truncated
  if (action < 0.45) {
    const chars = text.split('');
    for (let k = between(random, 1, 8); k > 0; k--) chars[between(random, 0, chars.length - 1)] = pick(random, [...JSON_CHARS]);
    return chars.join('');
  }
  if (action < 0.6) return text.slice(0, at) + text.slice(at + between(random, 1, 200));
  if (action < 0.75) {
    const len = between(random, 1, 500);
    return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
  }
  if (action < 0.85) {
    let junk = '';
    for (let k = between(random, 1, 40); k > 0; k--) junk += pick(random, [...JSON_CHARS]);
    return text.slice(0, at) + junk + text.slice(at);
  }
  // Deep nesting spliced into a value position.
  const depth = between(random, 100, 20_000);
  const marker = text.indexOf('"args":', at);
  if (marker < 0) return text;
  const insertAt = marker + 7;
  return `${text.slice(0, insertAt)}${'['.repeat(depth)}${']'.repeat(depth)},"x":${text.slice(insertAt)}`;
}

/** Case `index` of the fuzz run seeded with `seed`, built from one of the seed documents. */
export function mutate(random: Random, seeds: readonly string[]): { text: string; how: string } {
  const base = pick(random, seeds);
  const structural = random() < 0.4;
  let text = structural ? mutateStructure(random, base) : mutateText(random, base);
  let how = structural ? 'structure' : 'text';
  if (random() < 0.15) {
    text = mutateText(random, text);
    how += '+text';
  }
  return { text, how };
}

/** A document nested `depth` levels deep, built without recursion. */
export function deeplyNested(depth: number, where: 'top' | 'args' | 'metadata'): string {
  const open = '['.repeat(depth);
  const close = ']'.repeat(depth);
  if (where === 'top') return open + close;
  if (where === 'args') return `{"traceEvents":[{"name":"x","ph":"i","ts":1,"pid":1,"tid":1,"args":{"a":${open}${close}}}],"metadata":{}}`;
  return `{"traceEvents":[{"name":"x","ph":"i","ts":1,"pid":1,"tid":1}],"metadata":{"format":"node-flight-recorder","version":1,"pid":1,"programName":"x","argv":${open}${close},"nodeVersion":"v20","platform":"linux","trigger":{"reason":${open}${close},"source":"x","ts":1},"window":{"startTs":0,"endTs":2},"droppedEvents":0}}`;
}
