// Activation: lazy, fast, every contributed command registered, the API returned.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { assert, note, test } from '../lib/framework';
import { EXTENSION_ID, extensionApi } from '../lib/extension';

test('activates on a command, quickly, and registers every contributed command', async () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert(extension, `${EXTENSION_ID} is present in the extension host`);
  const manifest = extension.packageJSON as { contributes: { commands: Array<{ command: string }> }; activationEvents: string[] };
  assert(!manifest.activationEvents.includes('*') && !manifest.activationEvents.includes('onStartupFinished'), 'activation is lazy (no * / onStartupFinished)');
  const api = await extensionApi();
  assert(extension.isActive, 'the extension is active after activate()');
  assert(api.services.recorderPath.endsWith('dist/recorder.js') && fs.existsSync(api.services.recorderPath), `the recorder bundle ships with the extension (${api.services.recorderPath})`);
  assert(api.services.snapshotDirectory().endsWith('.flight-recorder'), 'snapshots default to the workspace .flight-recorder folder');
  const env = api.services.recorderEnvironment({ existingNodeOptions: '--max-old-space-size=512' });
  assert(env.NODE_OPTIONS?.startsWith('--require=') && env.NODE_OPTIONS.endsWith(' --max-old-space-size=512'), `the recorder is prepended to NODE_OPTIONS: ${env.NODE_OPTIONS}`);
  assert(JSON.parse(env.FLIGHT_RECORDER ?? '{}').cpuSamplingIntervalUs === 1000, 'FLIGHT_RECORDER carries the workspace settings');
  note(`activate() took ${api.activationMs.toFixed(1)} ms (budget 50 ms; measured, not asserted)`);
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
  assert(missing.length === 0, `commands not registered: ${missing.join(', ')}`);
});
