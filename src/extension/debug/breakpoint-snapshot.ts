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
import { folderOf, recordingOf, RECORDED_DEBUG_TYPES } from './config-provider';
import { capturesAtStop, captureExpression, parseMode, parseProbe, PROBE_EXPRESSION, stopLocation, type Probe } from './stops';
import { withDeadline } from '../deadline';

const CONTROL_TIMEOUT_MS = 3_000;
const FILE_WAIT_MS = 8_000;

interface StoppedBody {
  reason?: string;
  threadId?: number;
  hitBreakpointIds?: number[];
}

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  seq?: number;
  request_seq?: number;
  success?: boolean;
  arguments?: { source?: { path?: string }; breakpoints?: Array<{ line?: number }> };
  body?: StoppedBody & Partial<StackFrameResponse> & {
    breakpoints?: Array<{ id?: number; line?: number; source?: { path?: string } }>;
    breakpoint?: { id?: number; line?: number; source?: { path?: string } };
  };
}

/** Breakpoint ids → where they are, read off the session's own traffic (no round trip at the stop). */
type BreakpointPlaces = Map<number, { path: string; line: number }>;

type DapFrame = { id: number; line: number; column: number; source?: { path?: string; name?: string } };
interface StackFrameResponse {
  stackFrames: DapFrame[];
}
/** How long we wait for the editor's own stackTrace answer before asking ourselves. */
const OWN_STACK_TRACE_AFTER_MS = 1_500;

export interface BreakpointCapture {
  session: vscode.DebugSession;
  snapshot: CapturedSnapshot;
  location: string;
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

  /** Per session: who waits for the top frame the editor asks for right after a stop. */
  private readonly frameWaiters = new Map<string, (frame: DapFrame) => void>();

  constructor(
    private readonly services: ExtensionServices,
    /** The debuggee pid learnt when the session started (saves a round trip at the stop). */
    private readonly knownProbe: (session: vscode.DebugSession) => Probe | undefined = () => undefined,
  ) {
    const factory: vscode.DebugAdapterTrackerFactory = {
      createDebugAdapterTracker: (session) => {
        if (!recordingOf(session)) return undefined;
        const places: BreakpointPlaces = new Map();
        const requested = new Map<number, { path: string; lines: number[] }>();
        return {
          onWillReceiveMessage: (message: DapMessage) => {
            if (message.type === 'request' && message.command === 'setBreakpoints' && message.seq !== undefined) {
              requested.set(message.seq, { path: message.arguments?.source?.path ?? '', lines: (message.arguments?.breakpoints ?? []).map((b) => b.line ?? 0) });
            }
          },
          onDidSendMessage: (message: DapMessage) => {
            if (message.type === 'response' && message.command === 'setBreakpoints' && message.request_seq !== undefined) {
              const request = requested.get(message.request_seq);
              requested.delete(message.request_seq);
              (message.body?.breakpoints ?? []).forEach((b, i) => {
                if (b.id !== undefined) places.set(b.id, { path: b.source?.path ?? request?.path ?? '', line: b.line ?? request?.lines[i] ?? 0 });
              });
            }
            if (message.type === 'event' && message.event === 'breakpoint' && message.body?.breakpoint?.id !== undefined) {
              const b = message.body.breakpoint;
              const known = places.get(b.id as number);
              places.set(b.id as number, { path: b.source?.path ?? known?.path ?? '', line: b.line ?? known?.line ?? 0 });
            }
            if (message.type === 'event' && message.event === 'stopped') void this.onStopped(session, message.body ?? {}, places);
            // The editor asks for the stack at every stop: its answer gives us the location with
            // no request of our own (each round trip is felt on a slow remote editor).
            if (message.type === 'response' && message.command === 'stackTrace' && message.success && message.body?.stackFrames?.[0]) {
              this.frameWaiters.get(session.id)?.(message.body.stackFrames[0]);
            }
          },
        };
      },
    };
    for (const type of RECORDED_DEBUG_TYPES) this.registrations.push(vscode.debug.registerDebugAdapterTrackerFactory(type, factory));
  }

  private async onStopped(session: vscode.DebugSession, body: StoppedBody, places: BreakpointPlaces = new Map()): Promise<void> {
    const mode = parseMode(vscode.workspace.getConfiguration('flightRecorder', session.workspaceFolder?.uri).get('snapshotOnBreakpoint'));
    if (!capturesAtStop(body.reason, mode) || body.threadId === undefined || this.busy.has(session)) return;
    this.busy.add(session);
    const started = Date.now();
    try {
      // Fast path: the breakpoint's place from the session's traffic and the pid learnt at its
      // start — the capture leaves at once, with no request through the editor.
      const hit = body.hitBreakpointIds?.map((id) => places.get(id)).find((p) => p && p.path && p.line > 0);
      const known = this.knownProbe(session);
      let frame: DapFrame | undefined;
      if (!hit || !known?.recorder) {
        frame = await this.topFrame(session, body.threadId);
        if (!frame) return;
      }
      const location = hit ? stopLocation(hit.path, undefined, hit.line) : stopLocation(frame?.source?.path, frame?.source?.name, frame?.line ?? 0);
      const probe = known?.recorder ? known : await this.probe(session, (frame as DapFrame).id);
      if (!probe) {
        this.services.log.warn(`debug: stopped at ${location} but the recorder is not loaded in "${session.name}"`);
        return;
      }
      const snapshot = await this.capture(session, probe, () => frame ?? this.topFrame(session, body.threadId as number), location, started);
      if (!snapshot) return;
      this.services.log.info(`debug: snapshot at ${location} (${Date.now() - started} ms): ${snapshot.path}`);
      this.emitter.fire({ session, snapshot, location });
    } catch (error) {
      this.services.log.warn(`debug: no snapshot at the stop in "${session.name}": ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.busy.delete(session);
    }
  }

  /** The top frame of the stopped thread: the editor's own stackTrace answer, or ours if it is late. */
  private topFrame(session: vscode.DebugSession, threadId: number): Promise<DapFrame | undefined> {
    return new Promise<DapFrame | undefined>((resolve) => {
      let settled = false;
      const finish = (frame: DapFrame | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.frameWaiters.delete(session.id);
        resolve(frame);
      };
      this.frameWaiters.set(session.id, finish);
      const timer = setTimeout(() => {
        Promise.resolve(session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 })).then(
          (trace: StackFrameResponse) => finish(trace.stackFrames[0]),
          () => finish(undefined),
        );
      }, OWN_STACK_TRACE_AFTER_MS);
    });
  }

  private async probe(session: vscode.DebugSession, frameId: number): Promise<Probe | undefined> {
    const known = this.pids.get(session);
    if (known?.recorder) return known;
    const answer = (await session.customRequest('evaluate', { expression: PROBE_EXPRESSION, frameId, context: 'watch' })) as { result?: string };
    const probe = parseProbe(answer.result);
    if (probe) this.pids.set(session, probe);
    return probe?.recorder ? probe : undefined;
  }

  private async capture(session: vscode.DebugSession, probe: Probe, frameOf: () => DapFrame | Promise<DapFrame | undefined>, location: string, started: number): Promise<CapturedSnapshot | undefined> {
    const folder = folderOf(session);
    const out = this.services.snapshotDirectory(folder);
    try {
      return await withDeadline(
        this.services.captureSnapshot(probe.pid, { reason: 'breakpoint', source: 'breakpoint', location, out }),
        CONTROL_TIMEOUT_MS,
        `the control channel did not answer within ${CONTROL_TIMEOUT_MS} ms`,
      );
    } catch (error) {
      this.services.log.info(`debug: control channel capture failed (${error instanceof Error ? error.message : String(error)}); capturing in the paused frame`);
    }
    const frame = await frameOf();
    if (!frame) return undefined;
    const answer = (await session.customRequest('evaluate', { expression: captureExpression(location), frameId: frame.id, context: 'repl' })) as { result?: string };
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
