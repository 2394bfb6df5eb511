// The extension's attach, against real processes: SIGUSR1, the inspector found from /proc, the
// recorder loaded over the inspector WebSocket (the minimal client on Node 20), registered like
// a preloaded one, and the inspector closed again; a second attach says "already"; a process
// that is gone gives a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AttachError, attachRecorder } from '../../src/extension/attach/attach-recorder';
import { listeningPorts, listNodeProcesses } from '../../src/extension/attach/node-processes';
import { waitFor } from '../lib/wait-for';

const RECORDER = path.resolve(__dirname, '../../dist/recorder.js');


test('attach loads the recorder into a running program and closes the inspector again', { skip: process.platform !== 'linux' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-attach-'));
  const registry = path.join(dir, 'registry');
  fs.mkdirSync(registry, { mode: 0o700 });
  const script = path.join(dir, 'app.js');
  fs.writeFileSync(script, "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => console.log('ready'));\n");
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHT_RECORDER_REGISTRY: registry };
  delete env.NODE_OPTIONS;
  delete env.FLIGHT_RECORDER;
  const child: ChildProcess = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // One listener from the start: a listener added per poll missed a 'ready' that came between
  // two polls (the stream flows, the line is gone) and waited out the deadline.
  let started = false;
  child.stdout?.on('data', () => (started = true));
  try {
    await waitFor('the program to start', () => (started ? true : undefined));
    const pid = child.pid!;
    assert.ok((await listNodeProcesses()).some((p) => p.pid === pid), 'the program is listed as a Node process');
    const portsBefore = await listeningPorts(pid);

    const result = await attachRecorder({ pid, recorderPath: RECORDER, configJson: JSON.stringify({ out: path.join(dir, 'out') }) });
    assert.equal(result.outcome, 'loaded');
    assert.equal(result.closedInspector, true);
    const entry = await waitFor('the registry entry', () => (fs.existsSync(path.join(registry, `${pid}.json`)) ? JSON.parse(fs.readFileSync(path.join(registry, `${pid}.json`), 'utf8')) : undefined));
    assert.equal(entry.pid, pid);
    await waitFor('the inspector to close', async () => ((await listeningPorts(pid)).includes(result.inspectorPort) ? undefined : true), 10_000);
    assert.deepEqual(await listeningPorts(pid), portsBefore, 'only the program\'s own server is listening afterwards');

    const again = await attachRecorder({ pid, recorderPath: RECORDER, configJson: '{}' });
    assert.equal(again.outcome, 'already');
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('attach to a process that is gone says so', { skip: process.platform !== 'linux' }, async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  await assert.rejects(attachRecorder({ pid: child.pid!, recorderPath: RECORDER, configJson: '{}', timeoutMs: 3000 }), (error: unknown) => {
    assert.ok(error instanceof AttachError);
    assert.equal(error.code, 'gone');
    return true;
  });
});
