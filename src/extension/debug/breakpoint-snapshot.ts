// Snapshot on breakpoint: a debug adapter tracker on recorded node sessions watches the
// adapter's `stopped` events. At a breakpoint (not a step) it asks the paused program for a
// snapshot, tagged with the breakpoint's file and line, then shows the "how did I get here"
// timeline beside the editor. The tracker only observes: the stop reaches the editor at the
// same time as without us, and our requests run after it.
//
// The paused main thread cannot answer on its own, so the capture goes first through the
// control channel, which the recorder's watchdog worker serves while the main thread is
// stopped; when that does not answer in time, the snapshot is taken in-process by evaluating
// the recorder's hook in the paused frame (the copy runs on the main thread during the
// evaluation; encoding and writing happen on the recorder's worker), and the file is awaited
// in the snapshot directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CapturedSnapshot, ExtensionServices } from '../services';
import { folderOf, recordedMarkerOf, RECORDED_DEBUG_TYPES } from './config-provider';
import { capturesAtStop, captureExpression, parseMode, parseProbe, PROBE_EXPRESSION, stopLocation, type Probe } from './stops';

const CONTROL_TIMEOUT_MS = 3_000;
const FILE_WAIT_MS = 8_000;

interface StoppedBody {
  reason?: string;
  threadId?: number;
}

interface StackFrameResponse {
  stackFrames: Array<{ id: number; line: number; column: number; source?: { path?: string; name?: string } }>;
}

export interface BreakpointCapture {
  session: vscode.DebugSession;
  snapshot: CapturedSnapshot;
  location: string;
}

function withTimeout<T>(promise: Thenable<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Waits for a new snapshot file of `pid` in `directory` (written after `sinceMs`). */
async function awaitNewSnapshot(directory: string, pid: number, sinceMs: number, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const marker = `-${pid}-`;
  while (Date.now() < deadline) {
    try {
      for (const name of fs.readdirSync(directory)) {
        if (!name.endsWith('.nodetrace.json') || !name.includes(marker)) continue;
        const file = path.join(directory, name);
        if (fs.statSync(file).mtimeMs >= sinceMs - 1000) return file;
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

export class BreakpointSnapshots implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<BreakpointCapture>();
  /** Fires after a stop's snapshot is on disk. */
  readonly onDidCapture = this.emitter.event;
  /** The pid behind each debug session, learnt at its first stop. */
  private readonly pids = new WeakMap<vscode.DebugSession, Probe>();
  private readonly registrations: vscode.Disposable[] = [];
  /** One capture per session at a time: a burst of stops (several threads) must not pile up. */
  private readonly busy = new WeakSet<vscode.DebugSession>();

  constructor(private readonly services: ExtensionServices) {
    const factory: vscode.DebugAdapterTrackerFactory = {
      createDebugAdapterTracker: (session) => {
        if (!recordedMarkerOf(session)) return undefined;
        return {
          onDidSendMessage: (message: { type?: string; event?: string; body?: StoppedBody }) => {
            if (message.type === 'event' && message.event === 'stopped') void this.onStopped(session, message.body ?? {});
          },
        };
      },
    };
    for (const type of RECORDED_DEBUG_TYPES) this.registrations.push(vscode.debug.registerDebugAdapterTrackerFactory(type, factory));
  }

  private async onStopped(session: vscode.DebugSession, body: StoppedBody): Promise<void> {
    const mode = parseMode(vscode.workspace.getConfiguration('flightRecorder', session.workspaceFolder?.uri).get('snapshotOnBreakpoint'));
    if (!capturesAtStop(body.reason, mode) || body.threadId === undefined || this.busy.has(session)) return;
    this.busy.add(session);
    const started = Date.now();
    try {
      const trace = (await session.customRequest('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 })) as StackFrameResponse;
      const frame = trace.stackFrames[0];
      if (!frame) return;
      const location = stopLocation(frame.source?.path, frame.source?.name, frame.line);
      const probe = await this.probe(session, frame.id);
      if (!probe) {
        this.services.log.warn(`debug: stopped at ${location} but the recorder is not loaded in "${session.name}"`);
        return;
      }
      const snapshot = await this.capture(session, probe, frame.id, location, started);
      if (!snapshot) return;
      this.services.log.info(`debug: snapshot at ${location} (${Date.now() - started} ms): ${snapshot.path}`);
      this.emitter.fire({ session, snapshot, location });
    } catch (error) {
      this.services.log.warn(`debug: no snapshot at the stop in "${session.name}": ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.busy.delete(session);
    }
  }

  private async probe(session: vscode.DebugSession, frameId: number): Promise<Probe | undefined> {
    const known = this.pids.get(session);
    if (known?.recorder) return known;
    const answer = (await session.customRequest('evaluate', { expression: PROBE_EXPRESSION, frameId, context: 'watch' })) as { result?: string };
    const probe = parseProbe(answer.result);
    if (probe) this.pids.set(session, probe);
    return probe?.recorder ? probe : undefined;
  }

  private async capture(session: vscode.DebugSession, probe: Probe, frameId: number, location: string, started: number): Promise<CapturedSnapshot | undefined> {
    const folder = folderOf(session);
    const out = this.services.snapshotDirectory(folder);
    try {
      return await withTimeout(
        this.services.captureSnapshot(probe.pid, { reason: 'breakpoint', source: 'breakpoint', location, out }),
        CONTROL_TIMEOUT_MS,
        'the control channel',
      );
    } catch (error) {
      this.services.log.info(`debug: control channel capture failed (${error instanceof Error ? error.message : String(error)}); capturing in the paused frame`);
    }
    const answer = (await session.customRequest('evaluate', { expression: captureExpression(location), frameId, context: 'repl' })) as { result?: string };
    this.services.log.info(`debug: in-process capture: ${answer.result ?? ''}`);
    const file = await awaitNewSnapshot(out, probe.pid, started, FILE_WAIT_MS);
    if (!file) return undefined;
    const snapshot: CapturedSnapshot = { path: file, pid: probe.pid, reason: 'breakpoint' };
    this.services.notifySnapshot(snapshot);
    return snapshot;
  }

  dispose(): void {
    for (const registration of this.registrations) registration.dispose();
    this.emitter.dispose();
  }
}
