// Follows the debug sessions of recorded programs. js-debug runs one child session per process
// (and per worker) under the session the user started; for each child of a recorded session we
// learn the debuggee's pid once it answers, so snapshot points are not armed a second time
// through the control channel in a process the debugger already serves, and, for attach
// configurations, we load the recorder into the process through the debugger.
import * as vscode from 'vscode';
import type { RecorderOptions } from '../../format/config';
import type { ExtensionServices } from '../services';
import { recordingOf } from './config-provider';
import { loadRecorderExpression } from './attach-expression';
import { parseProbe, PROBE_EXPRESSION, type Probe } from './stops';

const PROBE_ATTEMPTS = 20;
const PROBE_INTERVAL_MS = 250;

export class RecordedSessions implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pidOf = new Map<string, number>();
  private readonly probes = new Map<string, Probe>();
  /** Sessions whose pid is not known yet: control-channel arming waits for them. */
  private readonly pending = new Set<string>();
  private readonly changed = new vscode.EventEmitter<{ pid: number; debugged: boolean }>();
  readonly onDidChangeDebugged = this.changed.event;

  constructor(private readonly services: ExtensionServices) {
    this.disposables.push(
      this.changed,
      vscode.debug.onDidStartDebugSession((session) => void this.onStart(session)),
      vscode.debug.onDidTerminateDebugSession((session) => this.onEnd(session)),
    );
  }

  get probing(): boolean {
    return this.pending.size > 0;
  }

  private async onStart(session: vscode.DebugSession): Promise<void> {
    // Only sessions attached to a target (js-debug's children, or a direct attach) answer evaluations.
    const isTarget = session.configuration.__pendingTargetId !== undefined || session.configuration.request === 'attach';
    if (!isTarget || !['pwa-node', 'node'].includes(session.type)) return;
    // Processes of the JavaScript Debug Terminal (and other sessions no configuration of ours
    // started) are recorded too when `recordAllDebugSessions` asks: loaded through the debugger.
    const marker = recordingOf(session);
    if (!marker) return;
    this.pending.add(session.id);
    try {
      let probe: Probe | undefined;
      for (let attempt = 0; attempt < PROBE_ATTEMPTS && !probe; attempt++) {
        try {
          const answer = (await session.customRequest('evaluate', { expression: PROBE_EXPRESSION, context: 'watch' })) as { result?: string };
          probe = parseProbe(answer.result);
        } catch {}
        if (!probe) await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      }
      if (!probe || !probe.main) return; // worker threads (the recorder's watchdog among them) are not processes
      this.pidOf.set(session.id, probe.pid);
      this.probes.set(session.id, probe);
      this.changed.fire({ pid: probe.pid, debugged: true });
      if (marker.request === 'attach' && !probe.recorder) await this.loadInto(session, marker.options);
      else if (!probe.recorder) this.recheckLater(session);
    } finally {
      this.pending.delete(session.id);
    }
  }

  /**
   * A launched program answers before its preload ran (js-debug holds it at the first line);
   * ask again once so the breakpoint tracker can skip its own probe at the first stop.
   */
  private recheckLater(session: vscode.DebugSession): void {
    const timer = setTimeout(() => {
      Promise.resolve(session.customRequest('evaluate', { expression: PROBE_EXPRESSION, context: 'watch' })).then(
        (answer: { result?: string }) => {
          const probe = parseProbe(answer.result);
          if (probe && this.pidOf.has(session.id)) this.probes.set(session.id, probe);
        },
        () => undefined,
      );
    }, 2_000);
    timer.unref?.();
  }

  /** Attach configurations: the process was not started by us, so the debugger loads the recorder. */
  private async loadInto(session: vscode.DebugSession, options: RecorderOptions): Promise<void> {
    const folder = session.workspaceFolder;
    const env = this.services.recorderEnvironment({ overrides: options, folder, existingNodeOptions: '' });
    const config = JSON.parse(env.FLIGHT_RECORDER ?? '{}') as Record<string, unknown>;
    try {
      const answer = (await session.customRequest('evaluate', { expression: loadRecorderExpression(this.services.recorderPath, config), context: 'repl' })) as { result?: string };
      this.services.log.info(`debug: loading the recorder into "${session.name}": ${answer.result ?? ''}`);
    } catch (error) {
      this.services.log.warn(`debug: could not load the recorder into "${session.name}": ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showWarningMessage(`Flight Recorder: could not load the recorder into the attached process (${error instanceof Error ? error.message : String(error)}).`);
    }
  }

  /** What the session's debuggee answered when it started (pid, recorder loaded), if known. */
  probeOf(session: vscode.DebugSession): Probe | undefined {
    return this.probes.get(session.id);
  }

  private onEnd(session: vscode.DebugSession): void {
    this.pending.delete(session.id);
    this.probes.delete(session.id);
    const pid = this.pidOf.get(session.id);
    if (pid === undefined) return;
    this.pidOf.delete(session.id);
    this.changed.fire({ pid, debugged: false });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
