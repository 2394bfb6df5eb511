// The CLI with the real recorder: `run` a real HTTP server (and a process tree), then `list`,
// `snapshot all`, `summary` and `validate` through `node dist/cli.js`, as a user would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { CLI, cleanEnv, killAllGroups, killGroup, removeDir, ROOT, runCli, spawnGroup, tempDir, waitFor } from './cli-helpers';

const dir = tempDir('cli-recorder');
const registry = join(dir, 'registry');
const out = join(dir, 'snapshots');
const env = cleanEnv({ FLIGHT_RECORDER_REGISTRY: registry });
const started: ChildProcess[] = [];

before(() => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing (npm test builds it)');
  assert.ok(existsSync(join(ROOT, 'dist', 'recorder.js')), 'dist/recorder.js is missing');
  writeFileSync(join(dir, 'server.js'), `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      if (req.url.startsWith('/slow')) { const end = Date.now() + 300; while (Date.now() < end) {} }
      res.end('ok');
    });
    server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
  `);
  writeFileSync(join(dir, 'parent.js'), `
    const { fork } = require('node:child_process');
    const path = require('node:path');
    const children = [fork(path.join(__dirname, 'child.js')), fork(path.join(__dirname, 'child.js'))];
    console.log('PARENT ' + process.pid);
    setInterval(() => {}, 1000);
    process.on('SIGTERM', () => { for (const c of children) c.kill(); process.exit(0); });
  `);
  writeFileSync(join(dir, 'child.js'), 'setInterval(() => {}, 1000); process.on("disconnect", () => process.exit(0));');
});
after(() => {
  for (const child of started) killGroup(child);
  killAllGroups();
  removeDir(dir);
});

/** Starts `cli run` and resolves once its output contains `marker`; returns the process and that output. */
async function startUnderRun(args: string[], marker: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawnGroup(process.execPath, [CLI, 'run', '--out', out, '--', process.execPath, ...args], { env, cwd: dir });
  started.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const match = await waitFor(`${args.join(' ')} to start`, () => marker.exec(output) ?? undefined, 20_000);
  return { child, match };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

async function listJson(): Promise<{ pid: number; ppid: number; depth: number; programName: string; status: { state: string } | null }[]> {
  const r = await runCli(['list', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('run + list + snapshot all + summary: the 300 ms request is named the slowest', { timeout: 90_000 }, async () => {
  const { child, match } = await startUnderRun([join(dir, 'server.js')], /PORT (\d+)/);
  const port = Number(match[1]);
  for (let i = 0; i < 10; i++) assert.equal(await get(port, `/hello?token=SECRET123&i=${i}`), 200);
  assert.equal(await get(port, '/slow'), 200);
  for (let i = 0; i < 3; i++) assert.equal(await get(port, '/hello'), 200);

  const processes = await waitFor('the server in `list --json`', async () => {
    const list = await listJson();
    return list.some((p) => p.programName === 'server') ? list : undefined;
  }, 15_000);
  const server = processes.find((p) => p.programName === 'server')!;
  assert.equal(server.status?.state, 'recording');
  const table = await runCli(['list'], { env });
  assert.match(table.stdout, new RegExp(`^${server.pid}\\s+server\\s+.*recording`, 'm'));

  const snap = await runCli(['snapshot', 'all', '--out', out, '--reason', 'check'], { env, timeoutMs: 30_000 });
  assert.equal(snap.code, 0, snap.stderr);
  const paths = snap.stdout.trim().split('\n');
  assert.equal(paths.length, 1, snap.stdout);
  const file = paths[0]!;
  assert.match(file, new RegExp(`^${out}/server-${server.pid}-\\d{8}T\\d{6}Z-check\\.nodetrace\\.json$`));
  assert.doesNotMatch(readFileSync(file, 'utf8'), /SECRET123/);

  const validate = await runCli(['validate', file], { env });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);

  const summary = await runCli(['summary', file], { env });
  assert.equal(summary.code, 0, summary.stderr);
  // Held up by its own busy loop (and where, line 4 of server.js, when the watchdog was up in
  // time to probe it: loop-block-stacks.test.ts checks that).
  assert.match(summary.stdout, /^Slowest request: GET \/slow — (\d+) ms \(200\); its event loop was blocked \d+ ms of it(, in \S+ \S*server\.js:4)?$/m, summary.stdout);
  const ms = Number(/^Slowest request: GET \/slow — (\d+) ms/m.exec(summary.stdout)![1]);
  assert.ok(ms >= 280, `the slow request took ${ms} ms`);
  assert.match(summary.stdout, /trigger\s+check/);
  const json = JSON.parse((await runCli(['summary', file, '--json'], { env })).stdout);
  assert.equal(json.slowestRequests[0].url, '/slow');
  assert.ok(json.requestCount.server >= 14, `only ${json.requestCount.server} server requests`);

  killGroup(child, 'SIGTERM');
});

test('a parent forking two children: list shows the tree, snapshot all writes one file per process', { timeout: 90_000 }, async () => {
  const { child, match } = await startUnderRun([join(dir, 'parent.js')], /PARENT (\d+)/);
  const parentPid = Number(match[1]);
  const tree = await waitFor('parent and two children in `list --json`', async () => {
    const list = (await listJson()).filter((p) => p.pid === parentPid || p.ppid === parentPid);
    return list.length === 3 ? list : undefined;
  }, 20_000);
  assert.deepEqual(tree.map((p) => p.depth), [0, 1, 1]);
  assert.equal(tree[0]!.pid, parentPid);
  const table = await runCli(['list'], { env });
  assert.match(table.stdout, new RegExp(`^${parentPid}\\s+parent`, 'm'));
  assert.match(table.stdout, /^├─ \d+\s+child/m);
  assert.match(table.stdout, /^└─ \d+\s+child/m);

  const snap = await runCli(['snapshot', 'all', '--reason', 'tree'], { env, timeoutMs: 30_000 });
  assert.equal(snap.code, 0, snap.stderr);
  const files = snap.stdout.trim().split('\n').filter((line) => line.includes(`-tree.nodetrace.json`));
  const pids = tree.map((p) => p.pid);
  for (const pid of pids) assert.ok(files.some((f) => f.includes(`-${pid}-`)), `no snapshot for ${pid}: ${snap.stdout}`);
  for (const f of files) assert.ok(existsSync(f), f);

  killGroup(child, 'SIGTERM');
});
