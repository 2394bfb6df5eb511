// Attach: a server started outside VS Code (no recorder in its environment) is picked in the
// quick pick by pid, gets the recorder through its inspector, shows up like a launched one,
// and answers a capture.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Snapshot } from '../../../src/format/snapshot';
import { assert, test, waitFor } from '../lib/framework';
import { extensionApi, get, readPort, startProgram, workspacePath } from '../lib/extension';
import { ui } from '../lib/ui';

test('attaches to a Node server started outside VS Code and captures it', async () => {
  const api = await extensionApi();
  const portFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-attach-')), 'port');
  const child = startProgram(workspacePath('server.js'), { SERVER_PORT_FILE: portFile });
  const pid = child.pid;
  assert(pid, 'the server started');
  const port = await readPort(portFile);
  await api.processes.refresh();
  assert(!api.processes.all.some((p) => p.entry.pid === pid), 'the server is not recorded before attaching');

  if (ui.available) {
    await ui.command('Flight Recorder: Attach Recorder to Node Process...');
    await ui.pick(String(pid));
  } else {
    await vscode.commands.executeCommand('flightRecorder.attach', pid);
  }
  await waitFor('the attached server in the registry', async () => {
    await api.processes.refresh();
    return api.processes.all.some((p) => p.entry.pid === pid);
  }, 30_000);

  for (let i = 0; i < 3; i++) await get(port, `/hello?attached=${i}`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-attach-out-'));
  const captured = await api.services.captureSnapshot(pid, { reason: 'after-attach', out });
  assert(captured.path.startsWith(out), `the snapshot is written where asked (${captured.path})`);
  const snapshot = JSON.parse(fs.readFileSync(captured.path, 'utf8')) as Snapshot;
  assert(snapshot.metadata.pid === pid, 'the snapshot is of the attached process');
  const requests = snapshot.traceEvents.filter((e) => e.cat === 'http.server' && (e.ph === 'b' || e.ph === 'X'));
  assert(requests.length >= 3, `requests after attaching are recorded (found ${requests.length})`);

  // Attaching again says so instead of loading a second recorder.
  const again = await vscode.commands.executeCommand<number | undefined>('flightRecorder.attach', pid);
  assert(again === pid, 'a second attach reports the process as already recorded');
  child.kill('SIGKILL');
}, { timeoutMs: 90_000 });
