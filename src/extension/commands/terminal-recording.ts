// flightRecorder.toggleTerminalRecording: every `node` started in a new integrated terminal is
// recorded, through the extension's EnvironmentVariableCollection (VS Code applies it to new
// terminals and offers to relaunch open ones). The state survives reloads with the collection.
import * as vscode from 'vscode';
import { CONFIG_ENV } from '../../format/config';
import { requireOption } from '../node-options';
import type { ExtensionServices } from '../services';

const STATE_KEY = 'flightRecorder.terminalRecording';

export class TerminalRecording implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;

  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: ExtensionServices) {
    // The collection persists across sessions: refresh it so it names this install's recorder
    // (the path changes with each extension version) and the current settings.
    if (this.enabled) this.apply(true);
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((event) => {
      if (this.enabled && (event.affectsConfiguration('flightRecorder.recorder') || event.affectsConfiguration('flightRecorder.snapshotDirectory'))) this.apply(true);
    }));
  }

  get enabled(): boolean {
    return this.services.context.globalState.get<boolean>(STATE_KEY, false);
  }

  async toggle(): Promise<boolean> {
    await this.set(!this.enabled);
    const message = this.enabled
      ? 'Flight Recorder: every node started in a new integrated terminal is now recorded.'
      : 'Flight Recorder: terminal recording is off.';
    void vscode.window.showInformationMessage(message);
    return this.enabled;
  }

  async set(enabled: boolean): Promise<void> {
    this.apply(enabled);
    await this.services.context.globalState.update(STATE_KEY, enabled);
    this.services.log.info(`terminal recording ${enabled ? 'on' : 'off'}`);
    this.changed.fire(enabled);
  }

  private apply(enabled: boolean): void {
    const collection = this.services.context.environmentVariableCollection;
    collection.clear();
    if (enabled) {
      const env = this.services.recorderEnvironment();
      // prepend() concatenates: the trailing space keeps the user's own options separate.
      collection.prepend('NODE_OPTIONS', `${requireOption(this.services.recorderPath)} `);
      collection.replace(CONFIG_ENV, env[CONFIG_ENV] ?? '{}');
      collection.description = 'Node Flight Recorder: records every node started in this terminal';
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
