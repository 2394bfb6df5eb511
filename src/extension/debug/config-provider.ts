// Adds the recorder to node / pwa-node / node-terminal debug configurations: launch
// configurations get `--require <recorder>` in front of their NODE_OPTIONS (js-debug then puts
// its own bootloader in front of ours and appends the editor's NODE_OPTIONS, so nothing of the
// user's is lost) and FLIGHT_RECORDER with the settings merged with the launch property; attach
// configurations are only marked, and attach-loader.ts loads the recorder once attached.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecorderOptions } from '../../format/config';
import type { ExtensionServices } from '../services';
import { decideInjection, mergeDebugEnv, readEnvFileValue, RECORDED_MARKER, skipRecorderFiles } from './launch-options';

export interface RecordedMarker {
  request: string;
  options: RecorderOptions;
}

export const RECORDED_DEBUG_TYPES = ['node', 'pwa-node', 'node-terminal'] as const;

async function envFileNodeOptions(config: vscode.DebugConfiguration): Promise<string | undefined> {
  if (typeof config.envFile !== 'string' || !config.envFile) return undefined;
  try {
    return readEnvFileValue(await fs.readFile(config.envFile, 'utf8'), 'NODE_OPTIONS');
  } catch {
    return undefined; // js-debug reports a missing envFile itself
  }
}

export class RecorderDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly services: ExtensionServices) {}

  // Runs after ${...} substitution, so `envFile` and `program` are real paths here.
  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined | null> {
    const recordAll = vscode.workspace.getConfiguration('flightRecorder', folder?.uri).get<boolean>('recordAllDebugSessions', false);
    const decision = decideInjection(config, recordAll);
    if (decision.errors.length) return this.reportInvalid(config, decision.errors);
    if (!decision.inject) return config;

    const marker: RecordedMarker = { request: String(config.request ?? 'launch'), options: decision.options };
    const skipFiles = skipRecorderFiles(config.skipFiles, this.services.recorderPath);
    if (config.request === 'attach') {
      this.services.log.info(`debug: "${config.name}" will load the recorder once attached`);
      return { ...config, skipFiles, [RECORDED_MARKER]: marker };
    }
    const userEnv = (config.env ?? {}) as Record<string, string | null | undefined>;
    const existing = typeof userEnv.NODE_OPTIONS === 'string' ? userEnv.NODE_OPTIONS : await envFileNodeOptions(config);
    const recorderEnv = this.services.recorderEnvironment({ overrides: decision.options, folder, existingNodeOptions: existing ?? '' });
    const env = mergeDebugEnv(userEnv, recorderEnv);
    this.services.log.info(`debug: recording "${config.name}" (NODE_OPTIONS=${env.NODE_OPTIONS})`);
    return { ...config, env, skipFiles, [RECORDED_MARKER]: marker };
  }

  /** A bad `flightRecorder` value: say what is wrong, and let the person choose. */
  private async reportInvalid(config: vscode.DebugConfiguration, errors: string[]): Promise<vscode.DebugConfiguration | undefined | null> {
    this.services.log.warn(`debug: invalid flightRecorder in "${config.name}": ${errors.join(' ')}`);
    const withoutRecorder = 'Debug Without Recorder';
    const open = 'Open launch.json';
    const choice = await vscode.window.showErrorMessage(
      `Flight Recorder: launch configuration "${config.name ?? config.type}": ${errors.join(' ')}`,
      withoutRecorder,
      open,
    );
    if (choice === withoutRecorder) {
      const { flightRecorder: _dropped, ...rest } = config;
      return rest as vscode.DebugConfiguration;
    }
    // null: VS Code opens launch.json; undefined: the start is cancelled quietly.
    return choice === open ? null : undefined;
  }
}

/** Walks up from a child session (one per process / thread in js-debug) to the configuration we marked. */
export function recordedMarkerOf(session: vscode.DebugSession): RecordedMarker | undefined {
  for (let current: vscode.DebugSession | undefined = session; current; current = current.parentSession) {
    const marker = current.configuration[RECORDED_MARKER] as RecordedMarker | undefined;
    if (marker) return marker;
  }
  return undefined;
}

/**
 * The marker of a session we recorded, or — when `flightRecorder.recordAllDebugSessions` is on —
 * an attach marker for node sessions no configuration of ours started (the JavaScript Debug
 * Terminal's processes), unless a configuration up the chain says `"flightRecorder": false`.
 */
export function recordingOf(session: vscode.DebugSession): RecordedMarker | undefined {
  const marker = recordedMarkerOf(session);
  if (marker) return marker;
  if (!vscode.workspace.getConfiguration('flightRecorder', session.workspaceFolder?.uri).get<boolean>('recordAllDebugSessions', false)) return undefined;
  for (let current: vscode.DebugSession | undefined = session; current; current = current.parentSession) {
    if (current.configuration.flightRecorder === false) return undefined;
  }
  return { request: 'attach', options: {} };
}

/** The workspace folder of a session, for resolving the snapshot directory. */
export function folderOf(session: vscode.DebugSession): vscode.WorkspaceFolder | undefined {
  if (session.workspaceFolder) return session.workspaceFolder;
  const program = session.configuration.program;
  return typeof program === 'string' ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.resolve(program))) : undefined;
}

export function registerConfigurationProviders(services: ExtensionServices): vscode.Disposable {
  const provider = new RecorderDebugConfigurationProvider(services);
  return vscode.Disposable.from(...RECORDED_DEBUG_TYPES.map((type) => vscode.debug.registerDebugConfigurationProvider(type, provider)));
}
