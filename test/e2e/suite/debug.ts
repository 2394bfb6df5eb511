// Debug-session integration in the real VS Code (code-server's built-in js-debug): a launch
// configuration with `"flightRecorder": true`, a breakpoint in a request handler, the snapshot
// taken at the stop (holding the requests before it, tagged with the breakpoint's location),
// the "how did I get here" timeline beside the editor, snapshot points that capture without
// ever pausing, and the inline trace of a snapshot at the lines that burnt the time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Snapshot } from '../../../src/format/snapshot';
import { after, assert, assertEqual, test, waitFor } from '../lib/framework';
import { closeAllEditors, extensionApi, get, readPort, snapshotFiles, startProgram, workspaceFolder, workspacePath } from '../lib/extension';

const SERVER_SOURCE = `// Written by the debug end-to-end suite.
'use strict';
const fs = require('node:fs');
const http = require('node:http');

function burn(durationMs) {
  const until = Date.now() + durationMs;
  let spins = 0;
  while (Date.now() < until) spins++; // BURN_LINE
  return spins;
}

function handle(request, response) {
  const url = new URL(request.url, 'http://localhost');
  if (url.pathname === '/stop') {
    response.end('stopped\\n'); // STOP_LINE
    return;
  }
  if (url.pathname === '/point') {
    response.end('point\\n'); // POINT_LINE
    return;
  }
  if (url.pathname === '/burn') {
    burn(Number(url.searchParams.get('ms')) || 120);
    response.end('burnt\\n');
    return;
  }
  response.end('hello\\n');
}

const server = http.createServer(handle);
server.listen(0, '127.0.0.1', () => {
  const file = process.env.SERVER_PORT_FILE;
  fs.writeFileSync(file + '.tmp', String(server.address().port));
  fs.renameSync(file + '.tmp', file);
});
`;

/** Progress of the running test, next to the harness's results: a timeout then says where it stood. */
function step(text: string): void {
  const dir = process.env.FLIGHT_RECORDER_E2E_ARTIFACTS;
  if (!dir) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'debug-steps.log'), `${new Date().toISOString()} ${text}\n`);
  } catch {}
}

/** 0-based line of the marker comment in SERVER_SOURCE. */
function lineOf(marker: string): number {
  const index = SERVER_SOURCE.split('\n').findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`marker ${marker} not in the server source`);
  return index;
}

interface StopSeen {
  session: vscode.DebugSession;
  reason: string;
  threadId: number;
}
interface Observed {
  stopped: StopSeen[];
  /** setBreakpoints the adapter answered: source path and the lines it now holds. */
  breakpointsSet: Array<{ path: string; lines: number[] }>;
}
const observed: Observed = { stopped: [], breakpointsSet: [] };
let trackerRegistered = false;

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  seq?: number;
  request_seq?: number;
  body?: { reason?: string; threadId?: number };
  arguments?: { source?: { path?: string }; breakpoints?: Array<{ line: number }> };
}

/** Sees every stop and every breakpoint update of every node session, as the adapter does. */
function observeDebugAdapters(): void {
  if (trackerRegistered) return;
  trackerRegistered = true;
  const factory: vscode.DebugAdapterTrackerFactory = {
    createDebugAdapterTracker: (session) => {
      const pending = new Map<number, { path: string; lines: number[] }>();
      return {
        onWillReceiveMessage: (message: DapMessage) => {
          if (message.type === 'request' && message.command === 'setBreakpoints' && message.seq !== undefined) {
            pending.set(message.seq, { path: message.arguments?.source?.path ?? '', lines: (message.arguments?.breakpoints ?? []).map((b) => b.line) });
          }
        },
        onDidSendMessage: (message: DapMessage) => {
          if (message.type === 'event' && message.event === 'stopped') observed.stopped.push({ session, reason: message.body?.reason ?? '', threadId: message.body?.threadId ?? 0 });
          if (message.type === 'response' && message.command === 'setBreakpoints' && message.request_seq !== undefined) {
            const request = pending.get(message.request_seq);
            if (request) observed.breakpointsSet.push(request);
          }
        },
      };
    },
  };
  for (const type of ['pwa-node', 'node']) vscode.debug.registerDebugAdapterTrackerFactory(type, factory);
}

function writeServer(name: string): { file: string; portFile: string } {
  const file = workspacePath(name);
  fs.writeFileSync(file, SERVER_SOURCE);
  const portFile = workspacePath(`.${name}.port`);
  fs.rmSync(portFile, { force: true });
  return { file, portFile };
}

async function startRecordedSession(name: string, file: string, portFile: string, flightRecorder: unknown = true): Promise<{ session: vscode.DebugSession; port: number; pid: number }> {
  const sessions: vscode.DebugSession[] = [];
  const listener = vscode.debug.onDidStartDebugSession((s) => sessions.push(s));
  try {
    const ok = await vscode.debug.startDebugging(workspaceFolder(), {
      type: 'node',
      request: 'launch',
      name,
      program: file,
      cwd: path.dirname(file),
      flightRecorder,
      env: { SERVER_PORT_FILE: portFile },
      skipFiles: ['<node_internals>/**'],
      // js-debug's own log, to diagnose a failing run: FLIGHT_RECORDER_E2E_JSDEBUG_LOG=/tmp/x.log
      ...(process.env.FLIGHT_RECORDER_E2E_JSDEBUG_LOG ? { trace: { logFile: process.env.FLIGHT_RECORDER_E2E_JSDEBUG_LOG } } : {}),
    });
    assert(ok, 'startDebugging accepted the configuration');
    const port = await readPort(portFile, 30_000);
    const session = sessions.find((s) => s.name === name) ?? sessions[0];
    assert(session, 'a debug session started');
    // The recorder is ready when its control channel is listed (its watchdog thread runs; under
    // js-debug that thread waits for the debugger to attach to it, which code-server makes slow).
    const api = await extensionApi();
    const pid = await waitFor('the debuggee in the recorder registry', async () => (await api.services.listProcesses()).find((e) => e.argv.some((a) => a.endsWith(path.basename(file))))?.pid, 120_000);
    return { session, port, pid };
  } finally {
    listener.dispose();
  }
}

async function stopAllSessions(): Promise<void> {
  await vscode.debug.stopDebugging();
  await waitFor('debug sessions to end', () => vscode.debug.activeDebugSession === undefined, 15_000).catch(() => undefined);
}

function readSnapshot(file: string): Snapshot {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
}

function newSnapshots(before: Set<string>): string[] {
  return snapshotFiles().filter((f) => !before.has(f));
}

function serverRequests(snapshot: Snapshot, pathname: string): number {
  return snapshot.traceEvents.filter((e) => e.cat === 'http.server' && (e.ph === 'b' || e.ph === 'X') && e.name.includes(pathname)).length;
}

after(async () => {
  await stopAllSessions();
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  await vscode.workspace.getConfiguration('flightRecorder').update('snapshotOnBreakpoint', undefined, vscode.ConfigurationTarget.Workspace);
});

test('a breakpoint stop in a recorded session writes a snapshot of the requests before it, tagged with the location, and opens it beside the code', async () => {
  await extensionApi();
  observeDebugAdapters();
  await closeAllEditors();
  const { file, portFile } = writeServer('debug-stop-server.js');
  const stopLine = lineOf('STOP_LINE');
  const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(stopLine, 0)));
  vscode.debug.addBreakpoints([breakpoint]);
  const before = new Set(snapshotFiles());
  try {
    step('stop: starting the session');
    const { port } = await startRecordedSession('Recorded stop', file, portFile);
    step('stop: recorder ready; 5 requests');
    for (let i = 0; i < 5; i++) assertEqual((await get(port, `/hello?n=${i}`)).status, 200, `request ${i}`);
    const stopping = get(port, '/stop', 60_000).catch(() => undefined); // answers once we continue
    const stopsBefore = observed.stopped.length;
    await waitFor('the breakpoint stop', () => observed.stopped.slice(stopsBefore).find((s) => s.reason === 'breakpoint'), 20_000);
    const stoppedAt = Date.now();
    step('stop: stopped at the breakpoint');
    const [snapshotFile] = await waitFor('a snapshot in the snapshot directory', () => {
      const found = newSnapshots(before);
      return found.length ? found : undefined;
    }, 10_000);
    assert(snapshotFile, 'a snapshot file');
    assert(Date.now() - stoppedAt <= 10_000, 'the snapshot landed within 10 s of the stop');
    const snapshot = await waitFor('the snapshot to parse', () => readSnapshot(snapshotFile), 5_000);
    const location = snapshot.metadata.trigger.location ?? '';
    assert(location.endsWith(`debug-stop-server.js:${stopLine + 1}`), `trigger.location is the breakpoint (${location})`);
    assertEqual(snapshot.metadata.trigger.source, 'breakpoint', 'trigger.source');
    assert(serverRequests(snapshot, '/hello') >= 5, `the snapshot holds the 5 requests before the stop (found ${serverRequests(snapshot, '/hello')})`);

    step(`stop: snapshot ${snapshotFile} checked`);
    // How did I get here: the timeline of that snapshot opens beside the editor.
    await waitFor('the timeline of the stop beside the editor', () =>
      vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === 'flightRecorder.timeline' && tab.input.uri.fsPath === snapshotFile)),
    60_000);

    step('stop: the timeline is open beside');
    // Steps and pauses not capturing is covered by test/unit/debug-stops.test.ts: stepping
    // through code-server's remote debug service is too slow here to bound.
    void stopping;
  } finally {
    vscode.debug.removeBreakpoints([breakpoint]);
    await stopAllSessions();
  }
}, { timeoutMs: 240_000 });

test('snapshot points: 3 requests give 3 snapshots and the program never stops', async () => {
  await extensionApi();
  observeDebugAdapters();
  await vscode.workspace.getConfiguration('flightRecorder').update('snapshotOnBreakpoint', 'snapshotPoints', vscode.ConfigurationTarget.Workspace);
  const { file, portFile } = writeServer('debug-point-server.js');
  const pointLine = lineOf('POINT_LINE');
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('flightRecorder.addSnapshotPoint', uri, pointLine);
  const point = vscode.debug.breakpoints.find((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === file && b.location.range.start.line === pointLine) as vscode.SourceBreakpoint | undefined;
  assert(point, 'the snapshot point is a breakpoint VS Code lists');
  assert(point.logMessage?.includes('snapshot point'), 'it is labelled as a snapshot point');
  const before = new Set(snapshotFiles());
  try {
    const { port } = await startRecordedSession('Recorded points', file, portFile);
    const stopsBefore = observed.stopped.length;
    for (let i = 1; i <= 3; i++) {
      assertEqual((await get(port, `/point?n=${i}`)).status, 200, `request ${i} answered (the program did not pause)`);
      await waitFor(`snapshot ${i}`, () => newSnapshots(before).length >= i, 10_000);
    }
    const files = newSnapshots(before);
    assertEqual(files.length, 3, 'snapshots for 3 requests');
    for (const f of files) {
      const snapshot = readSnapshot(f);
      assertEqual(snapshot.metadata.trigger.source, 'snapshotPoint', 'trigger.source');
      assert((snapshot.metadata.trigger.location ?? '').endsWith(`debug-point-server.js:${pointLine + 1}`), `location ${snapshot.metadata.trigger.location}`);
    }
    assertEqual(observed.stopped.length - stopsBefore, 0, 'stopped events while at snapshot points');

    // Removable like any breakpoint: running the command on the line again removes it.
    await vscode.commands.executeCommand('flightRecorder.addSnapshotPoint', uri, pointLine);
    await waitFor('the point to be removed', () => !vscode.debug.breakpoints.some((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === file), 5_000);
    await waitFor('the debugger to drop the point', () => observed.breakpointsSet.some((set) => set.path.endsWith('debug-point-server.js') && !set.lines.includes(pointLine + 1)), 15_000);
    const count = newSnapshots(before).length;
    await get(port, '/point?n=4');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // an absence: give a capture time to (not) land
    assertEqual(newSnapshots(before).length, count, 'snapshots after removing the point');
  } finally {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
    await vscode.workspace.getConfiguration('flightRecorder').update('snapshotOnBreakpoint', undefined, vscode.ConfigurationTarget.Workspace);
  }
}, { timeoutMs: 240_000 });

test('the inline trace marks the line that burnt the CPU, and the toggle hides it', async () => {
  const api = await extensionApi();
  const { file, portFile } = writeServer('debug-inline-server.js');
  // Without V8 line ticks in the profile the function's first line stands for it.
  const burnLines = [lineOf('function burn(') + 1, lineOf('BURN_LINE') + 1];
  try {
    const { port, pid } = await startRecordedSession('Recorded inline', file, portFile, { cpuSamplingIntervalUs: 1000 });
    for (let i = 0; i < 4; i++) await get(port, '/burn');
    const captured = await api.services.captureSnapshot(pid, { reason: 'inline test' });
    await api.services.openSnapshot(vscode.Uri.file(captured.path));
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    type State = { snapshotPath?: string; visible: boolean; files: Record<string, Array<{ kind: string; lineNumber: number; title: string }>> };
    const state = await waitFor('inline annotations of the snapshot', async () => {
      const s = await vscode.commands.executeCommand<State>('flightRecorder.inlineTraceState');
      return s.snapshotPath === captured.path && s.files[file]?.length ? s : undefined;
    }, 15_000);
    const lines = state.files[file] ?? [];
    assert(lines.some((item) => burnLines.includes(item.lineNumber) && item.kind === 'cpu'), `CPU time at burn(), lines ${burnLines.join('/')} (got ${JSON.stringify(lines)})`);
    assert(lines.some((item) => burnLines.includes(item.lineNumber) && item.kind === 'block'), `the loop blocks at burn(), lines ${burnLines.join('/')}`);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file));
    assert(lenses.some((lens) => (lens.command?.title ?? '').includes('% CPU')), `a CodeLens with the CPU share (got ${JSON.stringify(lenses.map((l) => l.command?.title))})`);
    await vscode.commands.executeCommand('flightRecorder.toggleInlineTrace');
    const hidden = await vscode.commands.executeCommand<State>('flightRecorder.inlineTraceState');
    assertEqual(hidden.visible, false, 'visible after the toggle');
    await vscode.commands.executeCommand('flightRecorder.toggleInlineTrace');
  } finally {
    await stopAllSessions();
  }
}, { timeoutMs: 240_000 });

test('without CPU sampling, the inline trace marks the line the event loop was blocked on (the watchdog\'s probe)', async () => {
  const api = await extensionApi();
  const { file, portFile } = writeServer('debug-block-server.js');
  const burnLine = lineOf('BURN_LINE') + 1;
  const env = api.services.recorderEnvironment({ folder: workspaceFolder(), existingNodeOptions: '' });
  // The workspace samples the CPU (its settings); this program does not: the stack is the probe's.
  const options = { ...(JSON.parse(env.FLIGHT_RECORDER ?? '{}') as Record<string, unknown>), cpuSamplingIntervalUs: 0 };
  const child = startProgram(file, { ...env, FLIGHT_RECORDER: JSON.stringify(options), SERVER_PORT_FILE: portFile });
  try {
    const port = await readPort(portFile, 30_000);
    await waitFor('the program in the recorder registry', async () => (await api.services.listProcesses()).some((e) => e.pid === child.pid), 30_000);
    // A first block arms the probe to look every 50 ms for 30 s (while the loop works it looks every 200 ms).
    assertEqual((await get(port, '/burn?ms=120')).status, 200, 'the 120 ms burn answered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEqual((await get(port, '/burn?ms=400')).status, 200, 'the 400 ms burn answered');
    const captured = await api.services.captureSnapshot(child.pid!, { reason: 'block stack test' });
    const block = readSnapshot(captured.path).traceEvents.find((e) => e.name === 'Event loop blocked' && (e.dur ?? 0) >= 350_000);
    const frames = (block?.args as { frames?: Array<{ functionName: string; lineNumber: number }> } | undefined)?.frames ?? [];
    assert(frames[0]?.functionName === 'burn' && frames[0].lineNumber === burnLine, `the block's frames name burn() at line ${burnLine} (got ${JSON.stringify(block?.args)})`);
    await api.services.openSnapshot(vscode.Uri.file(captured.path));
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    type State = { snapshotPath?: string; files: Record<string, Array<{ kind: string; lineNumber: number; title: string }>> };
    const state = await waitFor('inline annotations of the snapshot', async () => {
      const s = await vscode.commands.executeCommand<State>('flightRecorder.inlineTraceState');
      return s.snapshotPath === captured.path && s.files[file]?.length ? s : undefined;
    }, 15_000);
    const lines = state.files[file] ?? [];
    assert(lines.some((item) => item.kind === 'block' && item.lineNumber === burnLine), `a block marker at line ${burnLine} (got ${JSON.stringify(lines)})`);
    assert(!lines.some((item) => item.kind === 'cpu'), 'no CPU marker: nothing was sampled');
  } finally {
    child.kill('SIGKILL');
  }
}, { timeoutMs: 150_000 });

test('without a debugger, a snapshot point is armed through the control channel in a recorded process of the workspace', async () => {
  const api = await extensionApi();
  const { file, portFile } = writeServer('debug-armed-server.js');
  const pointLine = lineOf('POINT_LINE');
  const env = api.services.recorderEnvironment({ folder: workspaceFolder(), existingNodeOptions: '' });
  const child = startProgram(file, { ...env, SERVER_PORT_FILE: portFile });
  const before = new Set(snapshotFiles());
  try {
    const port = await readPort(portFile, 30_000);
    await waitFor('the program in the recorder registry', async () => (await api.services.listProcesses()).some((e) => e.pid === child.pid), 30_000);
    await vscode.commands.executeCommand('flightRecorder.addSnapshotPoint', vscode.Uri.file(file), pointLine);
    // The extension arms points within a poll (2 s) of a new process or a new point; each
    // request then captures once it is armed.
    await waitFor('a snapshot from the armed point', async () => {
      await get(port, '/point');
      return newSnapshots(before).length > 0;
    }, 20_000, 1_000);
    const snapshot = readSnapshot(newSnapshots(before)[0] as string);
    assertEqual(snapshot.metadata.trigger.source, 'snapshotPoint', 'trigger.source');
    assert((snapshot.metadata.trigger.location ?? '').endsWith(`debug-armed-server.js:${pointLine + 1}`), `location ${snapshot.metadata.trigger.location}`);
  } finally {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    child.kill('SIGKILL');
  }
}, { timeoutMs: 150_000 });
