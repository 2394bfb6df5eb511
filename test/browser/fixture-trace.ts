// Generates snapshots shaped like the recorder's (docs/trace-format.md): an HTTP service with
// requests and outgoing fetches, event-loop blocks, GC, counters, console output, an error,
// CPU samples, a worker thread, and the trigger. Deterministic (seeded). Used by the browser
// tests, the screenshots and the viewer benchmark (scaled up to a million events).
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';

export interface FixtureOptions {
  /** Seconds of history before the trigger. */
  windowSeconds?: number;
  /** Requests per second on the main thread. */
  requestsPerSecond?: number;
  /** CPU sampling interval, µs (0 = no CPU samples). */
  cpuIntervalUs?: number;
  /** Replace some names with hostile strings (markup, script). */
  hostileNames?: boolean;
  seed?: number;
}

export const HOSTILE_NAMES = ['<img src=x onerror="window.__pwned=1">', '</script><script>window.__pwned=2</script>'];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = [
  { method: 'GET', route: '/api/users/:id', path: () => `/api/users/${Math.floor(Math.random() * 900 + 100)}`, ms: [3, 25] },
  { method: 'GET', route: '/api/orders', path: () => '/api/orders?limit=50', ms: [8, 60] },
  { method: 'POST', route: '/api/checkout', path: () => '/api/checkout', ms: [40, 180], fetch: true },
  { method: 'GET', route: '/health', path: () => '/health', ms: [0.3, 1.5] },
  { method: 'GET', route: '/api/search', path: () => '/api/search?q=***', ms: [10, 90] },
];

const APP = 'file:///srv/shop-api';

export function makeSnapshot(options: FixtureOptions = {}): Snapshot {
  const windowSeconds = options.windowSeconds ?? 10;
  const rps = options.requestsPerSecond ?? 35;
  const cpuIntervalUs = options.cpuIntervalUs ?? 1000;
  const rand = random(options.seed ?? 7);
  const pid = 48213;
  const startTs = 1_000_000_000;
  const triggerTs = startTs + windowSeconds * 1e6;
  const endTs = triggerTs + 150_000;
  const events: TraceEvent[] = [];
  const busy: [number, number, string][] = []; // main-thread CPU busy intervals with what ran
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const hostile = options.hostileNames === true;

  events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: 'shop-api' } });
  events.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: 'Main thread' } });
  events.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: 1, args: { name: 'Worker 1 — image-resize.js' } });

  // Requests (async spans), some with outgoing fetches and flows.
  let id = 1;
  let t = startTs + between(0, 20_000);
  while (t < endTs - 30_000) {
    const route = ROUTES[Math.floor(rand() * ROUTES.length)]!;
    let durMs = between(route.ms[0]!, route.ms[1]!);
    if (rand() < 0.01) durMs *= 8;
    const durUs = durMs * 1000;
    const requestId = id++;
    let name = `${route.method} ${route.route}`;
    if (hostile && requestId % 7 === 0) name = HOSTILE_NAMES[requestId % 2]!;
    const failed = rand() < 0.015;
    events.push({ name, cat: 'http.server', ph: 'b', ts: t, pid, tid: 0, id: requestId, args: { method: route.method, url: route.path(), route: route.route, remoteAddress: '10.0.3.17' } });
    events.push({ name, cat: 'http.server', ph: 'e', ts: t + durUs, pid, tid: 0, id: requestId, args: failed ? { status: 500, error: 'ECONNRESET: upstream closed the connection' } : { status: route.method === 'POST' ? 201 : 200, bytes: Math.floor(between(200, 40_000)) } });
    busy.push([t, t + Math.min(durUs, between(300, 1500)), route.fetch ? 'checkout' : 'handler']);
    if (route.fetch) {
      const fetchId = id++;
      const fetchStart = t + durUs * 0.15;
      const fetchDur = durUs * 0.6;
      const fetchName = 'POST https://payments.internal/v2/charge';
      events.push({ name: fetchName, cat: 'http.client', ph: 'b', ts: fetchStart, pid, tid: 0, id: fetchId, args: { method: 'POST', url: 'https://payments.internal/v2/charge', api: 'fetch' } });
      events.push({ name: fetchName, cat: 'http.client', ph: 'e', ts: fetchStart + fetchDur, pid, tid: 0, id: fetchId, args: { status: failed ? 502 : 200 } });
      events.push({ name: 'request → fetch', cat: 'async', ph: 's', ts: t + 10, pid, tid: 0, id: `flow${fetchId}` });
      events.push({ name: 'request → fetch', cat: 'async', ph: 'f', bp: 'e', ts: fetchStart + 10, pid, tid: 0, id: `flow${fetchId}` });
    }
    if (rand() < 0.3) {
      const q = t + durUs * 0.1;
      events.push({ name: 'db.query users', cat: 'user', ph: 'X', ts: q, dur: durUs * 0.5, pid, tid: 0, args: { sql: 'SELECT * FROM users WHERE id = $1' } });
    }
    t += (-Math.log(1 - rand()) * 1e6) / rps;
  }

  // The slow request that triggered the snapshot, blocked by a report renderer.
  const slowStart = triggerTs - 1_240_000;
  const slowId = id;
  events.push({ name: 'GET /api/reports/:id', cat: 'http.server', ph: 'b', ts: slowStart, pid, tid: 0, id: slowId, args: { method: 'GET', url: '/api/reports/2024-q3?format=pdf', route: '/api/reports/:id' } });
  events.push({ name: 'GET /api/reports/:id', cat: 'http.server', ph: 'e', ts: triggerTs, pid, tid: 0, id: slowId, args: { status: 200, bytes: 1_845_220 } });

  // Event-loop blocks, with where the thread was.
  const blocks: [number, number][] = [
    [startTs + 2_100_000, 72_000],
    [startTs + 5_400_000, 118_000],
    [triggerTs - 1_050_000, 842_000],
    [startTs + 7_800_000, 64_000],
  ];
  for (const [ts, dur] of blocks) {
    events.push({
      name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts, dur, pid, tid: 0,
      // As the watchdog's probe finds a block: some way into it, in a builtin the program called.
      args: {
        thresholdMs: 50,
        framesAtMs: 61,
        frames: [
          { functionName: 'push', url: '', lineNumber: 0, columnNumber: 0 },
          { functionName: 'renderRows', url: `${APP}/src/reports/render.js`, lineNumber: 88, columnNumber: 17 },
          { functionName: 'buildReport', url: `${APP}/src/reports/index.js`, lineNumber: 41, columnNumber: 10 },
          { functionName: 'handleReport', url: `${APP}/src/routes/reports.js`, lineNumber: 23, columnNumber: 5 },
          { functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues', lineNumber: 95, columnNumber: 5 },
        ],
      },
    });
    busy.push([ts, ts + dur, 'report']);
  }

  // GC on both threads.
  for (const tid of [0, 1]) {
    let g = startTs + between(0, 100_000);
    while (g < endTs) {
      const major = rand() < 0.06;
      const dur = major ? between(12_000, 38_000) : between(600, 2_800);
      events.push({ name: major ? 'GC (major)' : 'GC (minor)', cat: 'gc', ph: 'X', ts: g, dur, pid, tid, args: { kind: major ? 'major' : 'minor' } });
      if (tid === 0) busy.push([g, g + dur, 'gc']);
      g += between(120_000, 420_000) * (tid === 1 ? 2 : 1);
    }
  }
  // Worker thread: image jobs.
  let w = startTs + 300_000;
  let job = 1;
  while (w < endTs - 200_000) {
    const dur = between(80_000, 260_000);
    events.push({ name: `resize image #${job++}`, cat: 'user', ph: 'X', ts: w, dur, pid, tid: 1, args: { width: 1600, height: 1200, format: 'webp' } });
    events.push({ name: 'sharp.toBuffer', cat: 'user', ph: 'X', ts: w + dur * 0.2, dur: dur * 0.7, pid, tid: 1 });
    w += dur + between(150_000, 900_000);
  }
  // The worker's own loop, blocked by a resize, and where the watchdog's probe found it.
  events.push({
    name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: startTs + 3_200_000, dur: 264_000, pid, tid: 1,
    args: {
      thresholdMs: 50,
      framesAtMs: 143,
      frames: [
        { functionName: 'resizeImage', url: `${APP}/src/workers/image-resize.js`, lineNumber: 27, columnNumber: 9 },
        { functionName: 'onJob', url: `${APP}/src/workers/image-resize.js`, lineNumber: 12, columnNumber: 3 },
      ],
    },
  });

  // Counters every 100 ms.
  for (let c = startTs; c <= endTs; c += 100_000) {
    const inBlock = blocks.some(([s, d]) => c >= s && c <= s + d + 100_000);
    const near = Math.max(0, 1 - Math.abs(c - triggerTs) / 2_000_000);
    const p99 = inBlock ? between(70, 850) : between(10, 14) + near * 30;
    events.push({ name: 'Event loop delay', cat: 'eventloop', ph: 'C', ts: c, pid, tid: 0, args: { p50Ms: Math.min(p99, between(10, 11)), p99Ms: p99, maxMs: p99 * between(1, 1.3) } });
    events.push({ name: 'Event loop utilization', cat: 'eventloop', ph: 'C', ts: c, pid, tid: 0, args: { utilization: inBlock ? 1 : Math.min(1, between(0.08, 0.22) + near * 0.4) } });
    const heap = 48 + ((c - startTs) / 1e6) * 3.2 + near * 60 + between(0, 4);
    events.push({ name: 'Memory', cat: 'memory', ph: 'C', ts: c, pid, tid: 0, args: { heapUsedMB: heap, heapTotalMB: heap * 1.35 + 8, rssMB: heap * 1.35 + 72, externalMB: 6 + between(0, 1) } });
  }

  // Console output and errors.
  for (let k = 0; k < windowSeconds * 3; k++) {
    const ts = startTs + between(0, windowSeconds * 1e6);
    events.push({ name: 'console.log', cat: 'console', ph: 'i', s: 't', ts, pid, tid: 0, args: { level: 'log', text: `[shop-api] order ${1000 + k} paid in ${Math.round(between(20, 90))} ms` } });
  }
  events.push({ name: 'console.warn', cat: 'console', ph: 'i', s: 't', ts: triggerTs - 600_000, pid, tid: 0, args: { level: 'warn', text: 'report cache miss for 2024-q3, rendering synchronously' } });
  events.push({
    name: 'Unhandled rejection', cat: 'error', ph: 'i', s: 'p', ts: startTs + 6_350_000, pid, tid: 0,
    args: {
      message: 'TimeoutError: payment provider did not answer within 2000 ms',
      stack: `TimeoutError: payment provider did not answer within 2000 ms\n    at Timeout.onTimeout (/srv/shop-api/src/payments/client.js:57:19)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)`,
    },
  });
  if (hostile) {
    events.push({ name: HOSTILE_NAMES[0]!, cat: 'console', ph: 'i', s: 't', ts: startTs + 1_000_000, pid, tid: 0, args: { text: HOSTILE_NAMES[1]!, [HOSTILE_NAMES[0]!]: HOSTILE_NAMES[1]! } });
    events.push({ name: HOSTILE_NAMES[1]!, cat: HOSTILE_NAMES[0]!, ph: 'X', ts: startTs + 3_000_000, dur: 400_000, pid, tid: 0, args: { stack: `Error: x\n    at ${HOSTILE_NAMES[0]} (${HOSTILE_NAMES[1]}:1:1)` } });
  }
  events.push({ name: 'Snapshot trigger', cat: 'trigger', ph: 'i', s: 'g', ts: triggerTs, pid, tid: 0, args: { reason: 'slow request', rule: 'slowRequestMs', value: 1240, threshold: 1000 } });

  if (cpuIntervalUs > 0) events.push(...cpuProfile(pid, startTs, endTs, cpuIntervalUs, busy, rand));

  return {
    traceEvents: events,
    metadata: {
      format: 'node-flight-recorder',
      version: 1,
      pid,
      ppid: 48200,
      programName: 'shop-api',
      argv: ['/usr/local/bin/node', '/srv/shop-api/src/server.js', '--port', '8080'],
      nodeVersion: 'v20.18.0',
      platform: 'linux',
      arch: 'x64',
      cwd: '/srv/shop-api',
      clockSync: { ts: triggerTs, epochMs: Date.UTC(2026, 10, 25, 14, 32, 7, 412) },
      trigger: { ts: triggerTs, source: 'rule', reason: 'slow request', rule: 'slowRequestMs', value: 1240, threshold: 1000 },
      window: { startTs, endTs },
      droppedEvents: 0,
      recorder: { version: '0.1.0', maxBytes: 10_485_760, minAgeMs: 10_000, usedBytes: 3_912_004, hookErrors: 0 },
    },
  };
}

/** A V8-shaped profile: a call tree, samples every interval, busy where `busy` says. */
function cpuProfile(pid: number, startTs: number, endTs: number, intervalUs: number, busy: [number, number, string][], rand: () => number): TraceEvent[] {
  interface Node { id: number; parent?: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId: number } }
  const nodes: Node[] = [];
  const add = (functionName: string, url: string, line: number, parent?: number) => {
    const node: Node = { id: nodes.length + 1, callFrame: { functionName, url, lineNumber: line - 1, columnNumber: 4, scriptId: 1 } };
    if (parent !== undefined) node.parent = parent;
    nodes.push(node);
    return node.id;
  };
  const root = add('(root)', '', 0);
  const idle = add('(idle)', '', 0, root);
  const program = add('(program)', '', 0, root);
  const gc = add('(garbage collector)', '', 0, root);
  const ticks = add('processTicksAndRejections', 'node:internal/process/task_queues', 95, root);
  const emit = add('emit', 'node:events', 517, ticks);
  const parserOnIncoming = add('parserOnIncoming', 'node:_http_server', 1143, emit);
  const express = add('handle', `${APP}/node_modules/express/lib/router/layer.js`, 95, parserOnIncoming);
  const handler = add('getUser', `${APP}/src/routes/users.js`, 31, express);
  const serialize = add('JSON.stringify', '', 0, handler);
  const checkout = add('checkout', `${APP}/src/routes/checkout.js`, 18, express);
  const validate = add('validateCart', `${APP}/src/cart/validate.js`, 9, checkout);
  const handleReport = add('handleReport', `${APP}/src/routes/reports.js`, 23, express);
  const buildReport = add('buildReport', `${APP}/src/reports/index.js`, 41, handleReport);
  const renderRows = add('renderRows', `${APP}/src/reports/render.js`, 88, buildReport);
  const formatCell = add('formatCell', `${APP}/src/reports/render.js`, 130, renderRows);
  const toFixed = add('formatCurrency', `${APP}/node_modules/currency.js/dist/currency.js`, 212, formatCell);
  const sortRows = add('sortRows', `${APP}/src/reports/sort.js`, 12, buildReport);
  const leaves: Record<string, number[]> = {
    handler: [handler, serialize, serialize, program],
    checkout: [validate, checkout, serialize],
    report: [renderRows, formatCell, toFixed, toFixed, formatCell, sortRows, renderRows],
    gc: [gc],
  };
  busy.sort((a, b) => a[0] - b[0]);
  const samples: number[] = [];
  const deltas: number[] = [];
  let k = 0;
  let previous = startTs;
  let current = -1;
  let runLeft = 0;
  for (let ts = startTs; ts < endTs; ts += intervalUs) {
    while (k < busy.length && busy[k]![1] < ts) k++;
    let what: string | undefined;
    for (let j = k; j < busy.length && busy[j]![0] <= ts; j++) if (busy[j]![1] >= ts) what = busy[j]![2];
    let node = idle;
    if (what) {
      if (runLeft <= 0 || !leaves[what]!.includes(current)) {
        const options = leaves[what]!;
        current = options[Math.floor(rand() * options.length)]!;
        runLeft = Math.floor(rand() * 12) + 3;
      }
      runLeft--;
      node = current;
    }
    samples.push(node);
    deltas.push(Math.round(ts - previous));
    previous = ts;
  }
  const events: TraceEvent[] = [{ name: 'Profile', cat: 'cpu', ph: 'P', ts: startTs, pid, tid: 0, id: '0x1', args: { data: { startTime: startTs } } }];
  const chunk = 2000;
  for (let i = 0; i < samples.length; i += chunk) {
    events.push({
      name: 'ProfileChunk', cat: 'cpu', ph: 'P', ts: startTs + i * intervalUs, pid, tid: 0, id: '0x1',
      args: { data: { cpuProfile: { nodes: i === 0 ? nodes : [], samples: samples.slice(i, i + chunk) }, timeDeltas: deltas.slice(i, i + chunk) } },
    });
  }
  return events;
}

/** A big generated snapshot for the benchmark: about `targetEvents` trace events. */
export function makeLargeSnapshot(targetEvents: number): Snapshot {
  // ~2.9 events per request plus fixed costs; widen the window so density stays realistic.
  const windowSeconds = 120;
  const perSecond = Math.max(10, Math.round(targetEvents / windowSeconds / 2.9));
  return makeSnapshot({ windowSeconds, requestsPerSecond: perSecond, cpuIntervalUs: 1000, seed: 11 });
}
