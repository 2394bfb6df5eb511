// Child processes (spawn → exit) and worker threads (start → exit) as async spans, from the
// `child_process` and `worker_threads` diagnostics channels (published as each is created).
// Per child/worker: two shared listeners. Command-line secrets are redacted.
import type { RedactOptions } from '../../format/config';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { redactArgv } from '../redact';
import { subscribeAll } from './channels';
import { noteBegin, takeBegin } from './decode-state';
import { Kind } from './kinds';
import { isRecorderWorker } from '../watchdog/identity';

interface ChildProcess {
  pid?: number;
  [kStartUs]?: number;
  spawnfile?: string;
  spawnargs?: string[];
  once(event: string, listener: (this: ChildProcess, ...args: never[]) => void): unknown;
}
const kThreadId = Symbol('flightRecorder.threadId');
const kStartUs = Symbol('flightRecorder.startUs');

interface Worker {
  threadId: number;
  [kThreadId]?: number;
  [kStartUs]?: number;
  once(event: string, listener: (this: Worker, ...args: never[]) => void): unknown;
}

const MAX_COMMAND = 512;

export function processesSource(redact: RedactOptions): EventSource {
  return {
    name: 'processes',
    install(context: SourceContext) {
      const { ring } = context;
      const onSpawn = context.guard('child spawn', function (this: ChildProcess) {
        const command = redactArgv(this.spawnargs ?? [], redact).join(' ').slice(0, MAX_COMMAND);
        const nowUs = ring.nowUs();
        this[kStartUs] = nowUs;
        ring.write(Kind.childSpawn, nowUs, 0, this.pid ?? 0, 0, 0, ring.intern(this.spawnfile ?? ''), ring.intern(command));
      });
      const onChildExit = context.guard('child exit', function (this: ChildProcess, code: number | null, signal: string | null) {
        const nowUs = ring.nowUs();
        const startUs = this[kStartUs] ?? nowUs;
        ring.write(Kind.childExit, startUs, nowUs - startUs, this.pid ?? 0, code ?? -1, 0, ring.intern(this.spawnfile ?? ''), signal ? ring.intern(signal) : 0);
      });
      const onWorkerExit = context.guard('worker exit', function (this: Worker, code: number) {
        // threadId reads −1 once the worker has exited: use the one noted at start.
        const nowUs = ring.nowUs();
        const startUs = this[kStartUs] ?? nowUs;
        ring.write(Kind.workerExit, startUs, nowUs - startUs, this[kThreadId] ?? 0, code, 0, 0, 0);
      });
      return subscribeAll(context, 'processes', {
        child_process: (message: { process: ChildProcess }) => {
          message.process.once('spawn', onSpawn);
          message.process.once('exit', onChildExit);
        },
        worker_threads: (message: { worker: Worker }) => {
          // The recorder's own watchdog thread is not part of the program.
          if (isRecorderWorker(message.worker)) return;
          const threadId = message.worker.threadId;
          const nowUs = ring.nowUs();
          message.worker[kThreadId] = threadId;
          message.worker[kStartUs] = nowUs;
          ring.write(Kind.workerStart, nowUs, 0, threadId, 0, 0, 0, 0);
          message.worker.once('exit', onWorkerExit);
        },
      });
    },
  };
}

const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1) || file;

/** `childSpawn` (48): ts = spawned, id = pid, s1 = file, s2 = argv joined (redacted, ≤ 512 chars). → `b`, cat `child_process`, id = pid. */
export function decodeChildSpawn(record: RecordView, out: DecodeContext): void {
  noteBegin(out, 'child_process', record.id);
  out.emit({ name: `${baseName(record.s1 ?? '')} (pid ${record.id})`, cat: 'child_process', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id,
    args: { childPid: record.id, file: record.s1 ?? '', command: record.s2 ?? '' } });
}

/**
 * `childExit` (49): ts = spawned, dur = µs until exit (the `e` is at ts + dur; a `b` is
 * synthesised when the spawn record is gone), id = pid, a = exit code (−1 when killed by a
 * signal), s1 = file, s2 = signal.
 */
export function decodeChildExit(record: RecordView, out: DecodeContext): void {
  const args: Record<string, unknown> = { exitCode: record.a };
  if (record.s2) args.signal = record.s2;
  const name = `${baseName(record.s1 ?? '')} (pid ${record.id})`;
  if (!takeBegin(out, 'child_process', record.id)) {
    out.emit({ name, cat: 'child_process', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: { childPid: record.id, file: record.s1 ?? '', startedBeforeWindow: true } });
  }
  out.emit({ name, cat: 'child_process', ph: 'e', ts: record.tsUs + record.durUs, pid: out.pid, tid: out.tid, id: record.id, args });
}

/** `workerStart` (50): ts = created, id = threadId. → `b` `Worker <threadId>`, cat `worker`. */
export function decodeWorkerStart(record: RecordView, out: DecodeContext): void {
  noteBegin(out, 'worker', record.id);
  out.emit({ name: `Worker ${record.id}`, cat: 'worker', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: { threadId: record.id } });
}

/** `workerExit` (51): ts = started, dur = µs until exit (`e` at ts + dur), id = threadId, a = exit code. */
export function decodeWorkerExit(record: RecordView, out: DecodeContext): void {
  if (!takeBegin(out, 'worker', record.id)) {
    out.emit({ name: `Worker ${record.id}`, cat: 'worker', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: { threadId: record.id, startedBeforeWindow: true } });
  }
  out.emit({ name: `Worker ${record.id}`, cat: 'worker', ph: 'e', ts: record.tsUs + record.durUs, pid: out.pid, tid: out.tid, id: record.id, args: { exitCode: record.a } });
}
