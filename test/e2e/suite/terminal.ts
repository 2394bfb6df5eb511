// Terminal recording: with the toggle on, a plain `node idle.js` typed into a new integrated
// terminal is recorded; the status bar says so; off again, the environment is clean.
import * as vscode from 'vscode';
import { assert, test, waitFor } from '../lib/framework';
import { extensionApi, killLater, workspacePath } from '../lib/extension';
import { ui } from '../lib/ui';

test('Toggle Recording in Integrated Terminal records a node started in a new terminal', async () => {
  const api = await extensionApi();
  if (api.terminalRecording.enabled) await api.terminalRecording.set(false);
  if (ui.available) await ui.command('Flight Recorder: Toggle Recording in Integrated Terminal');
  else await vscode.commands.executeCommand('flightRecorder.toggleTerminalRecording');
  await waitFor('terminal recording on', () => api.terminalRecording.enabled, 30_000);
  if (ui.available) await waitFor('the terminal-recording status bar item', async () => (await ui.statusBar()).some((t) => t.includes('terminal recording on')), 30_000);

  const terminal = vscode.window.createTerminal({ name: 'e2e recorded terminal', cwd: workspacePath() });
  terminal.show();
  terminal.sendText('node idle.js', true);
  const entry = await waitFor('idle.js in the registry', async () => {
    await api.processes.refresh();
    return api.processes.all.find((p) => p.entry.argv.some((arg) => arg.endsWith('idle.js')))?.entry;
  }, 120_000);
  killLater(entry.pid);
  process.kill(entry.pid, 'SIGKILL');
  terminal.dispose();

  if (ui.available) await ui.command('Flight Recorder: Toggle Recording in Integrated Terminal');
  else await vscode.commands.executeCommand('flightRecorder.toggleTerminalRecording');
  await waitFor('terminal recording off', () => !api.terminalRecording.enabled, 30_000);
  if (ui.available) await waitFor('the status bar item gone', async () => !(await ui.statusBar()).some((t) => t.includes('terminal recording on')), 30_000);
  assert(!api.terminalRecording.enabled, 'off');
}, { timeoutMs: 180_000 });
