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

  constructor(private readonly services: ExtensionServices) {}

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
    const collection = this.services.context.environmentVariableCollection;
    collection.clear();
    if (enabled) {
      const env = this.services.recorderEnvironment();
      // prepend() concatenates: the trailing space keeps the user's own options separate.
      collection.prepend('NODE_OPTIONS', `${requireOption(this.services.recorderPath)} `);
      collection.replace(CONFIG_ENV, env[CONFIG_ENV] ?? '{}');
      collection.description = 'Node Flight Recorder: records every node started in this terminal';
    }
    await this.services.context.globalState.update(STATE_KEY, enabled);
    this.services.log.info(`terminal recording ${enabled ? 'on' : 'off'}`);
    this.changed.fire(enabled);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
