// Loads the recorder into a running Node process (Linux/macOS): SIGUSR1 opens its inspector
// (as `node --inspect` would, on 127.0.0.1), we find the port it listens on from /proc, connect
// over the inspector WebSocket, evaluate a `require` of the recorder in the program, and close
// the inspector again if we were the ones who opened it. Pure Node: tested against real
// processes without VS Code.
import * as http from 'node:http';
import { connectWebSocket, type TextSocket } from './websocket';
import { listeningPorts } from './node-processes';

export class AttachError extends Error {
  constructor(message: string, readonly code: 'unsupported' | 'permission' | 'gone' | 'no-inspector' | 'evaluate' | 'already-recorded') {
    super(message);
    this.name = 'AttachError';
  }
}

export interface AttachOptions {
  pid: number;
  recorderPath: string;
  /** FLIGHT_RECORDER JSON for the recorder (the process's own env is not changed otherwise). */
  configJson: string;
  /** Bound on the whole operation. Default 15 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface AttachResult {
  /** 'loaded' or 'already' (the recorder was in the process already). */
  outcome: 'loaded' | 'already';
  inspectorPort: number;
  /** We opened the inspector and closed it again. */
  closedInspector: boolean;
}

interface InspectorTarget {
  port: number;
  webSocketDebuggerUrl: string;
}

function getJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 1024 * 1024) request.destroy(new Error('answer too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** The inspector among `ports` (the program's own servers answer /json/list with something else, or not at all). */
async function findInspector(ports: readonly number[]): Promise<InspectorTarget | undefined> {
  for (const port of ports) {
    for (const host of ['127.0.0.1', '[::1]']) {
      try {
        const list = await getJson(`http://${host}:${port}/json/list`, 700);
        const target = Array.isArray(list) ? (list[0] as { webSocketDebuggerUrl?: unknown } | undefined) : undefined;
        if (typeof target?.webSocketDebuggerUrl === 'string' && target.webSocketDebuggerUrl.startsWith('ws://')) {
          return { port, webSocketDebuggerUrl: target.webSocketDebuggerUrl };
        }
      } catch {}
    }
  }
  return undefined;
}

class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly socket: TextSocket) {
    socket.onMessage((text) => {
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        return;
      }
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message ?? 'inspector error'));
      else waiter.resolve(message.result);
    });
    socket.onClose((reason) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the inspector connection closed (${reason})`));
      this.pending.clear();
    });
  }

  send(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} got no answer within ${timeoutMs} ms (is the program's main thread busy?)`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}

/**
 * The expression evaluated in the program. `require` comes from the inspector's command-line
 * API when present, else the main module (CommonJS), else module.createRequire (ESM programs).
 * The recorder starts its process-wide recording only when loaded as a preload (it checks its
 * module's parent), so it is loaded the way `--require` loads it: a Module whose parent is
 * `internal/preload`. A recorder exporting `startAttached()` is asked directly instead.
 * Returns 'loaded' or 'already'; throws inside the program come back as exceptionDetails.
 */
export function loadExpression(recorderPath: string, configJson: string): string {
  return `(() => {
  const req = typeof require === 'function' ? require
    : process.mainModule ? process.mainModule.require.bind(process.mainModule)
    : process.getBuiltinModule ? process.getBuiltinModule('node:module').createRequire(process.cwd() + '/')
    : null;
  if (!req) throw new Error('no require() reachable in this process (an ES module program on Node older than 20.16)');
  const existing = globalThis[Symbol.for('node-flight-recorder')];
  if (existing && existing.recorder) return 'already';
  if (process.env.FLIGHT_RECORDER === undefined) process.env.FLIGHT_RECORDER = ${JSON.stringify(configJson)};
  if (existing && typeof existing.startAttached === 'function') { existing.startAttached(); return 'loaded'; }
  if (existing) throw new Error('the recorder library is loaded in this process without recording; start it with the recorder preloaded instead');
  const Module = req('node:module');
  const path = req('node:path');
  const file = ${JSON.stringify(recorderPath)};
  const preload = new Module(file, { id: 'internal/preload', children: [] });
  preload.filename = file;
  preload.paths = Module._nodeModulePaths(path.dirname(file));
  preload.load(file);
  const api = preload.exports;
  if (api && typeof api.startAttached === 'function' && !api.recorder) api.startAttached();
  if (!api || !api.recorder) throw new Error('the recorder loaded but did not start (FLIGHT_RECORDER disabled it?)');
  return 'loaded';
})()`;
}

const CLOSE_INSPECTOR = `(() => {
  const req = typeof require === 'function' ? require : process.getBuiltinModule;
  const inspector = req('node:inspector');
  // close() waits for open sessions; ours disconnects right after this answer.
  setTimeout(() => { try { inspector.close(); } catch {} }, 250).unref();
  return true;
})()`;

export async function attachRecorder(options: AttachOptions): Promise<AttachResult> {
  const log = options.log ?? (() => {});
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const remaining = () => Math.max(500, deadline - Date.now());
  if (process.platform === 'win32') {
    throw new AttachError('attaching on Windows is not supported yet (it needs process._debugProcess); start the program with "Run Current File with Recorder" instead', 'unsupported');
  }
  if (process.platform !== 'linux') {
    throw new AttachError('attaching reads /proc to find the inspector and works on Linux only; start the program with the recorder instead', 'unsupported');
  }
  const before = await listeningPorts(options.pid);
  let target = await findInspector(before);
  const openedByUs = !target;
  if (!target) {
    try {
      process.kill(options.pid, 'SIGUSR1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') throw new AttachError(`process ${options.pid} has exited`, 'gone');
      if (code === 'EPERM') throw new AttachError(`not allowed to signal process ${options.pid} (another user's process? run VS Code as that user)`, 'permission');
      throw error;
    }
    log(`attach: sent SIGUSR1 to ${options.pid}, waiting for its inspector`);
    while (!target && Date.now() < deadline) {
      const ports = (await listeningPorts(options.pid)).filter((p) => !before.includes(p));
      target = await findInspector(ports);
      if (!target) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!target) {
      throw new AttachError(
        `process ${options.pid} did not open its inspector after SIGUSR1 (started with --disable-sigusr1, a SIGUSR1 handler of its own, or port 9229 taken by another process?)`,
        'no-inspector',
      );
    }
  }
  log(`attach: inspector of ${options.pid} on port ${target.port}`);
  const socket = await connectWebSocket(target.webSocketDebuggerUrl, Math.min(5000, remaining()));
  const session = new CdpSession(socket);
  try {
    const result = (await session.send('Runtime.evaluate', {
      expression: loadExpression(options.recorderPath, options.configJson),
      includeCommandLineAPI: true,
      returnByValue: true,
      awaitPromise: false,
    }, remaining())) as { result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } } };
    if (result.exceptionDetails) {
      const detail = result.exceptionDetails.exception?.description ?? result.exceptionDetails.text ?? 'unknown error';
      throw new AttachError(`loading the recorder into ${options.pid} failed: ${detail.split('\n')[0]}`, 'evaluate');
    }
    const outcome = result.result?.value === 'already' ? 'already' : 'loaded';
    if (openedByUs) await session.send('Runtime.evaluate', { expression: CLOSE_INSPECTOR, includeCommandLineAPI: true, returnByValue: true }, Math.min(3000, remaining())).catch(() => undefined);
    return { outcome, inspectorPort: target.port, closedInspector: openedByUs };
  } finally {
    socket.close();
  }
}
