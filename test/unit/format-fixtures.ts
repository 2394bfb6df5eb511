// A small, valid snapshot used by the format-* tests; each test breaks one thing in a copy.
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';

export const PID = 4242;

export function validSnapshot(): Snapshot {
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: 'server.js' } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: 'main' } },
    { name: 'GET /hello', cat: 'http.server', ph: 'b', id: 1, ts: 1_000_100, pid: PID, tid: 0, args: { method: 'GET', url: '/hello?token=***' } },
    { name: 'GET /hello', cat: 'http.server', ph: 'e', id: 1, ts: 1_002_100, pid: PID, tid: 0, args: { status: 200 } },
    { name: 'GET /slow', cat: 'http.server', ph: 'b', id: 2, ts: 1_010_000, pid: PID, tid: 0, args: { method: 'GET', url: '/slow' } },
    { name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 1_010_050, dur: 300_000, pid: PID, tid: 0, args: { thresholdMs: 50 } },
    { name: 'GET /slow', cat: 'http.server', ph: 'e', id: 2, ts: 1_310_200, pid: PID, tid: 0, args: { status: 200 } },
    { name: 'GET http://127.0.0.1:3000/hello', cat: 'http.client', ph: 'b', id: 3, ts: 1_400_000, pid: PID, tid: 0, args: { method: 'GET', url: 'http://127.0.0.1:3000/hello', api: 'fetch' } },
    { name: 'GET http://127.0.0.1:3000/hello', cat: 'http.client', ph: 'e', id: 3, ts: 1_405_000, pid: PID, tid: 0, args: { status: 200 } },
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 1_500_000, dur: 1_500, pid: PID, tid: 0, args: { kind: 'minor', heapBeforeMB: 30.5, heapAfterMB: 12.25 } },
    { name: 'GC (major)', cat: 'gc', ph: 'X', ts: 1_600_000, dur: 8_000, pid: PID, tid: 0, args: { kind: 'major', heapBeforeMB: 80, heapAfterMB: 40 } },
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 1_700_000, dur: 500, pid: PID, tid: 0, args: { kind: 'minor' } },
    { name: 'Memory', cat: 'memory', ph: 'C', ts: 1_800_000, pid: PID, tid: 0, args: { heapUsedMB: 12.5, heapTotalMB: 20, rssMB: 60, externalMB: 1 } },
    { name: 'Uncaught exception', cat: 'error', ph: 'i', s: 't', ts: 1_850_000, pid: PID, tid: 0, args: { message: 'Error: boom', stack: 'Error: boom\n    at f (/srv/a.js:1:1)' } },
    { name: 'GET /pending', cat: 'http.server', ph: 'b', id: 4, ts: 1_900_000, pid: PID, tid: 0, args: { method: 'GET', url: '/pending' } },
    { name: 'Profile', cat: 'cpu', ph: 'P', id: '0x1', ts: 1_000_000, pid: PID, tid: 0, args: { data: { startTime: 1_000_000 } } },
    {
      name: 'ProfileChunk', cat: 'cpu', ph: 'P', id: '0x1', ts: 1_000_000, pid: PID, tid: 0,
      args: {
        data: {
          cpuProfile: {
            nodes: [
              { id: 1, callFrame: { functionName: '(root)', url: '', scriptId: 0, lineNumber: -1, columnNumber: -1 } },
              { id: 2, parent: 1, callFrame: { functionName: 'busyWait', url: 'file:///srv/server.js', scriptId: 1, lineNumber: 9, columnNumber: 2 } },
              { id: 3, parent: 1, callFrame: { functionName: '(idle)', url: '', scriptId: 0, lineNumber: -1, columnNumber: -1 } },
              { id: 4, parent: 1, callFrame: { functionName: 'parse', url: 'file:///srv/lib.js', scriptId: 2, lineNumber: 0, columnNumber: 0 } },
            ],
            samples: [2, 2, 2, 4, 3],
          },
          timeDeltas: [100, 1000, 1000, 1000, 500],
        },
      },
    },
    { name: 'Snapshot trigger', cat: 'trigger', ph: 'i', s: 'g', ts: 1_950_000, pid: PID, tid: 0, args: { reason: 'check' } },
  ];
  return {
    traceEvents: events,
    metadata: {
      format: 'node-flight-recorder',
      version: 1,
      pid: PID,
      ppid: 1,
      programName: 'server.js',
      argv: ['node', 'server.js'],
      nodeVersion: 'v20.20.2',
      platform: 'linux',
      trigger: { reason: 'check', source: 'control', ts: 1_950_000 },
      window: { startTs: 1_000_000, endTs: 2_000_000 },
      droppedEvents: 3,
      recorder: { version: '0.1.0', maxBytes: 10485760, minAgeMs: 10000 },
    },
  };
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
