// Run npm Script with Recorder: the script picked in the quick pick runs in a terminal and the
// node program it starts is recorded.
import * as vscode from 'vscode';
import { note, test, waitFor } from '../lib/framework';
import { extensionApi, killLater } from '../lib/extension';
import { ui } from '../lib/ui';

test('Run npm Script with Recorder records the program the script starts', async () => {
  const api = await extensionApi();
  if (ui.available) {
    await ui.command('Flight Recorder: Run npm Script with Recorder');
    await ui.pick('idle');
  } else {
    await vscode.commands.executeCommand('flightRecorder.runScript', 'idle');
  }
  const entry = await waitFor('idle.js (started by npm run idle) in the registry', async () => {
    await api.processes.refresh();
    return api.processes.all.find((p) => p.entry.argv.some((arg) => arg.endsWith('idle.js')))?.entry;
  }, 120_000);
  killLater(entry.pid);
  note(`recorded processes: ${api.processes.all.map((p) => `${p.entry.programName} (${p.entry.argv.slice(1, 3).join(' ')})`).join('; ')}`);
  process.kill(entry.pid, 'SIGKILL');
  for (const terminal of vscode.window.terminals) if (terminal.name.includes('npm run idle')) terminal.dispose();
}, { timeoutMs: 180_000 });
