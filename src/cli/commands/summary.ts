// `flight-recorder summary <file> [--json] [--top N]`: where the time went and what went wrong.
import * as path from 'node:path';
import type { LoadedTrace } from '../../format/read';
import { programFrame, type StackFrame } from '../../format/stack';
import { summarizeTrace, type GcKindSummary, type LoopBlockSummary, type RequestSummary, type TraceSummary } from '../../format/summary';
import { flag, parseArgs, stringOption, type OptionSpec } from '../args';
import { UsageError } from '../errors';
import { LOOP_PROBE_REACH } from '../../format/unprobed-block';
import { NOTE_WIDTH, oneLine, renderTable, wrapText } from '../table';
import { loadTrace } from '../trace-file';
import { formatBytes, formatDurationMs } from '../units';

export const summaryHelp = `Usage: flight-recorder summary <file> [--json] [--top N]

Summarizes a snapshot (or any Chrome trace / .cpuprofile): the slowest requests, the longest
event-loop blocks, GC totals, errors, triggers, the hottest functions when CPU samples were
recorded, and how many events each category holds.

Options:
  --json      print the summary as JSON (stable keys, for scripts)
  --top N     rows per table (default 10)
  -h, --help  this help`;

const specs: OptionSpec[] = [
  { name: 'json', type: 'boolean' },
  { name: 'top', type: 'string' },
  { name: 'help', type: 'boolean', short: 'h' },
];

export async function summaryCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, specs, 'summary');
  if (flag(args, 'help')) {
    console.log(summaryHelp);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing the file to summarize' : 'one file at a time', 'summary');
  const topText = stringOption(args, 'top');
  const top = topText === undefined ? 10 : Number(topText);
  if (!Number.isSafeInteger(top) || top < 1) throw new UsageError(`--top ${topText}: not a positive whole number`, 'summary');
  const file = args.positionals[0]!;
  const loaded = loadTrace(file);
  const summary = summarizeTrace(loaded.trace, { top });
  if (flag(args, 'json')) {
    console.log(JSON.stringify({ file, kind: loaded.kind, warnings: loaded.warnings, ...summary }, null, 2));
  } else {
    console.log(renderSummary(file, loaded.kind, loaded.trace, summary, loaded.warnings));
  }
  return 0;
}

/** "; 3 of them freed 14.1 MiB" (only the collections that carry V8's heap sizes say), or "". */
function heapFreed(k: GcKindSummary): string {
  if (k.freedMB === undefined) return '';
  const some = (k.freedCount ?? 0) < k.count ? `${k.freedCount ?? 0} of them ` : '';
  return `; ${some}freed ${k.freedMB < 0 ? '-' : ''}${formatBytes(Math.round(Math.abs(k.freedMB) * 1048576))}`;
}

export function renderSummary(file: string, kind: string, trace: LoadedTrace, s: TraceSummary, warnings: readonly string[]): string {
  const out: string[] = [];
  const meta = trace.metadata;
  // Times are shown relative to the trigger (the moment that mattered), else to the window's end.
  const zeroTs = s.trigger?.ts ?? s.window.endTs;
  const at = (ts: number) => {
    const ms = (ts - zeroTs) / 1000;
    if (Math.abs(ms) < 0.001) return '0';
    return `${ms < 0 ? '-' : '+'}${formatDurationMs(Math.abs(ms))}`;
  };
  const threadName = (pid: number, tid: number) => {
    const name = s.processes.find((p) => p.pid === pid)?.threads.find((t) => t.tid === tid)?.name;
    return name ? `${oneLine(name)} thread` : tid === 0 ? 'main thread' : `thread ${tid}`;
  };
  out.push(`${path.basename(file)}  (${kind === 'snapshot' ? 'Node Flight Recorder snapshot' : kind === 'cpuprofile' ? 'CPU profile' : 'Chrome trace'})`);
  if (meta) {
    out.push(`  program   ${oneLine(String(meta.programName))} (pid ${meta.pid}), Node ${oneLine(String(meta.nodeVersion))} on ${oneLine(String(meta.platform))}`);
  }
  if (s.trigger) {
    const rule = s.trigger.rule ? `, rule ${s.trigger.rule}${s.trigger.value !== undefined ? ` = ${s.trigger.value}` : ''}${s.trigger.threshold !== undefined ? ` (threshold ${s.trigger.threshold})` : ''}` : '';
    out.push(`  trigger   ${oneLine(s.trigger.reason)}${s.trigger.source ? ` (${s.trigger.source}${rule})` : ''}`);
  }
  const dropped = s.droppedEvents === null ? '' : `, ${s.droppedEvents} dropped before the window`;
  out.push(`  window    ${formatDurationMs(s.window.durationMs)}, ${s.eventCount} events${dropped}${s.trigger ? '; times below are relative to the trigger' : '; times below are relative to the end'}`);
  for (const warning of warnings) out.push(`  warning   ${oneLine(warning)}`);

  const slowest = s.slowestRequests[0];
  out.push('');
  // A hung main thread is the first thing to say when the snapshot caught one.
  const stuck = s.triggers.find((t) => t.frames && t.frames.length > 0);
  if (stuck?.frames) {
    const top = stuck.frames[0]!;
    const callers = stuck.frames.length > 1 ? `, called from ${stuck.frames.slice(1, 3).map((f) => oneLine(f.functionName || '(anonymous)')).join(' ← ')}` : '';
    const blocked = stuck.blockedMs === undefined ? '' : ` — its event loop blocked for ${formatDurationMs(stuck.blockedMs)} so far`;
    out.push(`Main thread stuck in ${oneLine(top.functionName || '(anonymous)')} ${shortLocation(top.url, top.lineNumber)}${callers}${blocked}`);
  }
  if (slowest) {
    out.push(`Slowest request: ${describeRequest(slowest)} — ${formatDurationMs(slowest.durationMs)}${slowest.inFlight ? ' and still running' : ''}${statusText(slowest) ? ` (${statusText(slowest)})` : ''}${duringText(slowest)}`);
  } else {
    out.push('Slowest request: none recorded');
  }

  if (s.slowestRequests.length > 0) {
    out.push('', `Slowest requests (${s.requestCount.server} server, ${s.requestCount.client} client)`);
    out.push(renderTable(
      [{ title: 'DURATION', align: 'right' }, { title: 'KIND' }, { title: 'STATUS' }, { title: 'AT', align: 'right' }, { title: 'LOOP BLOCKED', align: 'right' }, { title: 'REQUEST', maxWidth: 90 }],
      s.slowestRequests.map((r) => [
        formatDurationMs(r.durationMs) + (r.inFlight ? '+' : ''),
        r.kind,
        statusText(r) || '-',
        at(r.ts),
        r.during && r.during.blockedMs > 0 ? formatDurationMs(r.during.blockedMs) : '-',
        describeRequest(r),
      ]),
    ));
    if (s.slowestRequests.some((r) => r.inFlight)) out.push('  + still running when the snapshot was taken');
    out.push('  LOOP BLOCKED: how much of the request its thread\'s event loop was blocked (code on that thread held it up)');
  }

  out.push('', s.loopBlocks.length > 0 ? 'Longest event-loop blocks' : 'Event-loop blocks: none recorded');
  if (s.loopBlocks.length > 0) {
    out.push(renderTable(
      [{ title: 'DURATION', align: 'right' }, { title: 'AT', align: 'right' }, { title: 'WHERE', maxWidth: 100 }],
      s.loopBlocks.map((b) => [
        formatDurationMs(b.durationMs),
        at(b.ts),
        `${threadName(b.pid, b.tid)}${blockWhere(b)}${b.ongoing ? ' (still blocked)' : ''}`,
      ]),
    ));
    // Without CPU samples a block has a place only when the watchdog probed it: say why some have none.
    if (s.sampledMs === 0 && s.loopBlocks.some((b) => blockWhere(b) === '')) out.push(UNPROBED_BLOCKS_NOTE);
  }

  if (s.gc.count > 0) {
    const kinds = s.gc.byKind.map((k) => `${k.kind} ${k.count}× ${formatDurationMs(k.totalMs)} (max ${formatDurationMs(k.maxMs)}${heapFreed(k)})`).join(', ');
    out.push('', `GC: ${s.gc.count} collections, ${formatDurationMs(s.gc.totalMs)} in total, longest ${formatDurationMs(s.gc.maxMs)} — ${kinds}`);
  } else {
    out.push('', 'GC: none recorded');
  }

  if (s.errors.length > 0) {
    out.push('', `Errors and warnings (${s.errors.length})`);
    out.push(renderTable(
      [{ title: 'AT', align: 'right' }, { title: 'TYPE' }, { title: 'MESSAGE', maxWidth: 100 }],
      s.errors.slice(0, 20).map((e) => [at(e.ts), e.type, e.message || '(no message)']),
    ));
  }

  if (s.triggers.length > 0) {
    out.push('', 'Triggers');
    out.push(renderTable(
      [{ title: 'AT', align: 'right' }, { title: 'WHAT' }, { title: 'DETAIL', maxWidth: 100 }],
      s.triggers.map((t) => [
        at(t.ts),
        t.name,
        t.frames?.[0]
          ? `stuck in ${t.frames.slice(0, 3).map((f) => `${f.functionName || '(anonymous)'} ${shortLocation(f.url, f.lineNumber)}`).join(' ← ')}`
          : `${t.reason}${t.rule ? ` (${t.rule}${t.value !== undefined ? ` = ${t.value}` : ''})` : ''}`,
      ]),
    ));
  }

  if (s.hotFunctions.length > 0) {
    out.push('', `Hottest functions (self time of ${formatDurationMs(s.sampledMs)} sampled)`);
    out.push(renderTable(
      [{ title: 'SELF', align: 'right' }, { title: '%', align: 'right' }, { title: 'FUNCTION', maxWidth: 40 }, { title: 'WHERE', maxWidth: 70 }],
      s.hotFunctions.map((f) => [formatDurationMs(f.selfMs), f.percent.toFixed(1), f.functionName, shortLocation(f.url, f.lineNumber)]),
    ));
  }

  if (s.categories.length > 0) {
    out.push('', `Events per category: ${s.categories.map((c) => `${c.cat || '(none)'} ${c.count}`).join(', ')}`);
  }
  return out.join('\n');
}

function describeRequest(r: RequestSummary): string {
  const name = r.method && r.url ? `${r.method} ${r.url}` : r.name;
  const routed = r.route && !name.includes(r.route) ? `${name} [${r.route}]` : name;
  // Recorded headers (an x-request-id) are what finds the request in the program's logs.
  const headers = r.headers ? Object.entries(r.headers).map(([header, value]) => `  ${header}: ${value}`).join('') : '';
  return oneLine(routed + headers);
}

function statusText(r: RequestSummary): string {
  if (r.error) return `error: ${oneLine(r.error)}`;
  return r.status === undefined ? '' : String(r.status);
}

/**
 * What held the request up, as far as the snapshot says: `; its event loop was blocked 298 ms
 * of it, in busyWaitMs demo-server.js:11` (where, when the block's stack is known), GC pauses and outgoing requests when they took a
 * tenth of it or more; or that nothing on its thread did (it was waiting).
 */
function duringText(r: RequestSummary): string {
  const d = r.during;
  if (!d || r.durationMs <= 0) return '';
  const notable = (valueMs: number) => valueMs >= r.durationMs / 10;
  const parts: string[] = [];
  if (d.blockedMs > 0) parts.push(`its event loop was blocked ${formatDurationMs(d.blockedMs)} of it${inFrame(d.where)}`);
  if (notable(d.gcMs)) parts.push(`GC paused it ${formatDurationMs(d.gcMs)}`);
  if (notable(d.outgoingMs)) parts.push(`${d.outgoing} outgoing request${d.outgoing === 1 ? ' was' : 's were'} open for ${formatDurationMs(d.outgoingMs)} of it`);
  if (parts.length === 0) return d.blocks === 0 && d.gcMs < r.durationMs / 10 ? '; its event loop was not blocked meanwhile (it waited)' : '';
  return `; ${parts.join('; ')}`;
}

/** Under the block list when some have no place and no CPU was sampled: why, and how to get every block's. */
const UNPROBED_BLOCKS_NOTE = wrapText(`a block without a place was not probed: ${LOOP_PROBE_REACH}; \`run --cpu-sampling\` names every block's functions`, NOTE_WIDTH, '  ');

/** `, in fn file:line` for a block whose frames are known (the program's frame: programFrame), or ''. */
function blockWhere(block: LoopBlockSummary): string {
  return inFrame(block.frames ? programFrame(block.frames) : undefined);
}

/** `, in fn file:line` (the file relative to the working directory), or '' without a frame. */
function inFrame(frame: StackFrame | undefined): string {
  return frame ? `, in ${oneLine(frame.functionName || '(anonymous)')} ${shortLocation(frame.url, frame.lineNumber)}` : '';
}

function shortLocation(url: string, line: number): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? url.slice(7) : url;
  const cwd = process.cwd() + path.sep;
  const shown = file.startsWith(cwd) ? file.slice(cwd.length) : file;
  return line > 0 ? `${shown}:${line}` : shown;
}
