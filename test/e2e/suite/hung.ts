// A hung process as a person meets it in VS Code: a recorded program whose main thread spins
// forever is captured with Capture Snapshot; the timeline opens saying where the main thread is
// stuck and for how long its event loop has been blocked, and one click lands on that line.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Snapshot } from '../../../src/format/snapshot';
import { assert, test, waitFor } from '../lib/framework';
import { closeAllEditors, extensionApi, startProgram, workspacePath } from '../lib/extension';
import { ui } from '../lib/ui';

test('capturing a hung process: the timeline says where its main thread is stuck, one click from the line', async () => {
  const api = await extensionApi();
  await closeAllEditors();
  const file = workspacePath('hang.js');
  const spinLine = fs.readFileSync(file, 'utf8').split('\n').findIndex((line) => line.startsWith('function spinForever')) + 1;
  const child = startProgram(file, { NODE_OPTIONS: `--require ${api.services.recorderPath}` });
  const pid = child.pid;
  assert(pid, 'the program started');
  try {
    await waitFor('the program in the registry', async () => {
      await api.processes.refresh();
      return api.processes.all.some((p) => p.entry.pid === pid);
    }, 30_000);
    // It spins from 1 s after its start: the tree's row and the status bar say its main thread
    // is blocked (the watchdog answers the status request while the main thread spins).
    await vscode.commands.executeCommand('flightRecorder.processes.focus');
    await waitFor('the status of a blocked main thread', async () => {
      await api.processes.refresh();
      return (api.processes.all.find((p) => p.entry.pid === pid)?.status?.mainLoopBlockedMs ?? 0) >= 500;
    }, 30_000);
    if (ui.available) {
      const row = await waitFor('the tree row saying so', async () => (await ui.treeRows('Flight Recorder')).find((label) => label.includes(`pid ${pid}`) && /main thread blocked \d+(\.\d)?s/.test(label)), 20_000);
      assert(/hang/.test(row), `the row names the program: "${row}"`);
      assert(/main thread blocked \d+(\.\d)?s in spinForever hang\.js:\d+/.test(row), `the row says where it spins: "${row}"`);
      const item = await waitFor('the status bar saying so', async () => (await ui.statusBar()).find((text) => text.includes(`(${pid})`) && text.includes('main thread blocked')), 20_000);
      assert(item.includes('hang'), `the status bar names the program: "${item}"`);
      assert(item.includes('in spinForever hang.js:'), `the status bar says where: "${item}"`);
    }
    const captured = await vscode.commands.executeCommand<{ path: string } | undefined>('flightRecorder.captureSnapshot', pid);
    assert(captured?.path, 'Capture Snapshot wrote a file');
    const snapshot = JSON.parse(fs.readFileSync(captured.path, 'utf8')) as Snapshot;
    const stuck = snapshot.metadata.mainThreadStuck as { frames: Array<{ functionName: string; lineNumber: number }>; blockedMs?: number } | undefined;
    assert(stuck?.frames[0]?.functionName === 'spinForever' && stuck.frames[0].lineNumber === spinLine, `the snapshot names the stuck line: ${JSON.stringify(stuck?.frames[0])}`);
    assert((stuck.blockedMs ?? 0) >= 500, `and how long the loop has been blocked: ${stuck.blockedMs} ms`);
    if (!ui.available) return;
    const row = await waitFor('the stuck row in the timeline', async () => (await ui.frameTexts('customEditor', '.nfr-stuck')).find((text) => text.includes('spinForever')), 30_000);
    assert(/^stuck in spinForever .*hang\.js:\d+:\d+ — its event loop blocked for [\d.]+ s so far$/.test(row), `the overview says where: "${row}"`);
    await ui.frameClick('customEditor', '.nfr-stuck a.nfr-frame');
    const editor = await waitFor('hang.js in an editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === file ? e : undefined;
    }, 15_000);
    assert(editor.selection.active.line + 1 === spinLine, `the editor is on the stuck line ${spinLine}, got ${editor.selection.active.line + 1}`);
    fs.rmSync(captured.path, { force: true });
  } finally {
    child.kill('SIGKILL');
  }
}, { timeoutMs: 90_000 });
