// The main path, through the palette as a person does it: run the open server with the
// recorder, see it in the tree and status bar, send requests, capture, find the file in
// .flight-recorder/, see the timeline draw, click a stack frame and land on the right line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Snapshot } from '../../../src/format/snapshot';
import { assert, test, waitFor } from '../lib/framework';
import { closeAllEditors, extensionApi, get, killLater, readPort, snapshotFiles, workspacePath } from '../lib/extension';
import { ui } from '../lib/ui';

let serverPid = 0;
let serverPort = 0;
let snapshotPath = '';

/** Runs a contributed command the way a person would (palette), or by id without the UI harness. */
async function palette(title: string, id: string): Promise<void> {
  if (ui.available) await ui.command(title);
  else await vscode.commands.executeCommand(id);
}

function isTimelineTab(tab: vscode.Tab, file: string): boolean {
  return tab.input instanceof vscode.TabInputCustom && tab.input.viewType === 'flightRecorder.timeline' && tab.input.uri.fsPath === file;
}

test('Run Current File with Recorder starts the open server recorded', async () => {
  const api = await extensionApi();
  const serverFile = workspacePath('server.js');
  fs.rmSync(workspacePath('.server-port'), { force: true });
  await closeAllEditors();
  await vscode.window.showTextDocument(vscode.Uri.file(serverFile));
  await palette('Flight Recorder: Run Current File with Recorder', 'flightRecorder.runFile');
  serverPort = await readPort(workspacePath('.server-port'), 120_000);
  const entry = await waitFor('the server in the registry', async () => {
    await api.processes.refresh();
    return api.processes.all.find((p) => p.entry.argv.some((arg) => arg.endsWith('server.js')))?.entry;
  }, 20_000);
  serverPid = entry.pid;
  killLater(serverPid);
  const terminal = vscode.window.terminals.find((t) => t.name.includes('server.js'));
  assert(terminal, `a terminal named after the file (terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')})`);
  assert(entry.out === workspacePath('.flight-recorder'), `the recorder writes to the workspace's .flight-recorder (got ${entry.out})`);
}, { timeoutMs: 180_000 });

test('the tree and the status bar show the recorded process', async () => {
  assert(serverPid, 'the server runs (previous test)');
  await vscode.commands.executeCommand('flightRecorder.processes.focus');
  if (!ui.available) return;
  const row = await waitFor('a tree row for the server', async () => (await ui.treeRows('Flight Recorder')).find((label) => label.includes(`pid ${serverPid}`)), 20_000);
  assert(/server/.test(row) && /buffer \d+%/.test(row) && /recording/.test(row), `the row shows program, buffer fill and state: "${row}"`);
  const item = await waitFor('the status bar item', async () => (await ui.statusBar()).find((text) => text.includes(`pid ${serverPid}`) || text.includes(`(${serverPid})`)), 20_000);
  assert(item.includes('server'), `status bar names the program: "${item}"`);
}, { timeoutMs: 60_000 });

test('Capture Snapshot from the palette writes the requests into .flight-recorder/', async () => {
  assert(serverPort, 'the server runs (first test)');
  for (let i = 0; i < 5; i++) assert((await get(serverPort, `/hello?i=${i}`)).status === 200, 'GET /hello answers 200');
  await get(serverPort, '/slow');
  await get(serverPort, '/block');
  await get(serverPort, '/block');
  const before = new Set(snapshotFiles());
  await palette('Flight Recorder: Capture Snapshot', 'flightRecorder.captureSnapshot');
  snapshotPath = await waitFor('a new snapshot file in .flight-recorder/', () => snapshotFiles().find((file) => !before.has(file)), 30_000);
  assert(path.basename(snapshotPath).includes(`-${serverPid}-`), `the file name carries the pid: ${path.basename(snapshotPath)}`);
  const snapshot = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as Snapshot;
  assert(snapshot.metadata.pid === serverPid, `metadata.pid is the server's (${snapshot.metadata.pid})`);
  const requests = snapshot.traceEvents.filter((e) => e.cat === 'http.server' && (e.ph === 'b' || e.ph === 'X'));
  const hellos = requests.filter((e) => String(e.name).includes('/hello') || String(e.args?.url ?? '').includes('/hello'));
  assert(hellos.length >= 5, `the 5 GET /hello requests are in the snapshot (found ${hellos.length} of ${requests.length} requests)`);
}, { timeoutMs: 60_000 });

test('the snapshot opens in the timeline editor and the webview draws', async () => {
  assert(snapshotPath, 'a snapshot was captured (previous test)');
  await waitFor('a timeline tab for the snapshot', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => isTimelineTab(t, snapshotPath))), 20_000);
  const api = await extensionApi();
  await waitFor('the timeline panel to register', () => api.timeline.openPanels(vscode.Uri.file(snapshotPath)) > 0, 10_000);
  if (!ui.available) return;
  const canvases = await waitFor('a painted canvas in the timeline', async () => {
    const found = await ui.canvases('customEditor');
    return found.some((c) => c.paintedPixels > 200) ? found : undefined;
  }, 30_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; canvases: ${JSON.stringify(await ui.canvases('customEditor'))}; frames: ${JSON.stringify(await ui.frames())}`);
  });
  assert(canvases.length > 0, 'the timeline has a canvas');
}, { timeoutMs: 60_000 });

test('clicking a stack frame in the timeline opens that file and line beside it', async () => {
  assert(snapshotPath, 'a snapshot was captured');
  if (!ui.available) return;
  const serverFile = workspacePath('server.js');
  const source = fs.readFileSync(serverFile, 'utf8').split('\n');
  const first = source.findIndex((line) => line.startsWith('function busyWait')) + 1;
  const last = first + source.slice(first).findIndex((line) => line.startsWith('}'));
  await ui.frameClick('customEditor', 'button.nfr-tab[data-tab="cpu"]');
  await waitFor('busyWait in the hot functions', async () => (await ui.frameTexts('customEditor', 'a.nfr-frame')).some((t) => t.includes('server.js')), 15_000);
  await ui.frameClick('customEditor', 'a.nfr-frame', 'server.js');
  const editor = await waitFor('server.js in an editor', () => {
    const e = vscode.window.activeTextEditor;
    return e && e.document.uri.fsPath === serverFile ? e : undefined;
  }, 15_000);
  const line = editor.selection.active.line + 1;
  assert(line >= first && line <= last + 1, `the selection is in busyWait (lines ${first}-${last + 1}), got line ${line}`);
  const timelineColumn = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => isTimelineTab(t, snapshotPath)))?.viewColumn;
  assert(timelineColumn !== undefined && editor.viewColumn !== timelineColumn, `the source opens beside the timeline (source ${editor.viewColumn}, timeline ${timelineColumn})`);
}, { timeoutMs: 60_000 });

test('the tree lists the snapshot under its process and captures from the inline action', async () => {
  assert(serverPid && snapshotPath, 'server and snapshot from previous tests');
  if (!ui.available) return;
  await vscode.commands.executeCommand('flightRecorder.processes.focus');
  await waitFor('the snapshot row', async () => (await ui.treeRows('Flight Recorder')).some((label) => label.includes(path.basename(snapshotPath))), 20_000);
  const before = new Set(snapshotFiles());
  await ui.treeAction('Flight Recorder', `pid ${serverPid}`, 'Capture Snapshot of This Process');
  await waitFor('a second snapshot from the tree', () => snapshotFiles().find((file) => !before.has(file)), 30_000);
}, { timeoutMs: 60_000 });

test('the live view shows the process metrics', async () => {
  assert(serverPid, 'the server runs');
  await vscode.commands.executeCommand('flightRecorder.showLive', serverPid);
  if (!ui.available) return;
  for (let i = 0; i < 3; i++) await get(serverPort, '/hello');
  const heap = await waitFor('a heap value in the live view', async () => (await ui.frameTexts('webviewView', '#heap-value')).find((t) => /\d+(\.\d+)? MB/.test(t)), 20_000);
  assert(heap, 'heap shown');
}, { timeoutMs: 45_000 });
