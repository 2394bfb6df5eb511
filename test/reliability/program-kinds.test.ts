// ESM, CommonJS, TypeScript through tsx, worker threads and cluster: each program prints and
// exits exactly as without the recorder, and while it runs every one of its processes answers
// a snapshot over the control channel with a valid file that holds its HTTP spans (and, for
// workers, events of the worker threads' own lanes).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateSnapshot } from '../../src/format/validate';
import { FIXTURES, RECORDER, ROOT, controlRequest, plainEnv, readRegistryEntry, readSnapshot, recorderEnv, start, tempDir, waitFor, type RunResult, type SnapshotLike } from './helpers';

const scratch = tempDir('kinds');
after(() => scratch.remove());

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Kind {
  title: string;
  /** Command and args without and with the recorder. */
  plain: [string, string[], NodeJS.ProcessEnv];
  recorded: (registry: string, out: string) => [string, string[], NodeJS.ProcessEnv];
  /** stdout line that says the program did its work (then the test snapshots and ends it). */
  ready: RegExp;
  /** Recorded processes expected in the registry. */
  processes: number;
  check?: (snapshots: SnapshotLike[]) => void;
}

const node = process.execPath;
const kinds: Kind[] = [
  {
    title: 'CommonJS',
    plain: [node, [join(FIXTURES, 'app-cjs.cjs')], plainEnv()],
    recorded: (registry, out) => [node, ['--require', RECORDER, join(FIXTURES, 'app-cjs.cjs')], recorderEnv(registry, { out })],
    ready: /cjs got/, processes: 1,
  },
  {
    title: 'ESM with top-level await and fetch',
    plain: [node, [join(FIXTURES, 'app-esm.mjs')], plainEnv()],
    recorded: (registry, out) => [node, ['--require', RECORDER, join(FIXTURES, 'app-esm.mjs')], recorderEnv(registry, { out })],
    ready: /esm got/, processes: 1,
  },
  {
    title: 'TypeScript through the tsx CLI (NODE_OPTIONS=--require)',
    plain: [TSX, [join(FIXTURES, 'app-ts.ts')], plainEnv()],
    recorded: (registry, out) => [TSX, [join(FIXTURES, 'app-ts.ts')], { ...recorderEnv(registry, { out }), NODE_OPTIONS: `--require=${RECORDER}` }],
    ready: /ts got/, processes: 0, // tsx runs the program in a child of its own: 1 or 2 recorded processes
  },
  {
    title: 'worker threads',
    plain: [node, [join(FIXTURES, 'app-worker.js')], plainEnv()],
    recorded: (registry, out) => [node, ['--require', RECORDER, join(FIXTURES, 'app-worker.js')], recorderEnv(registry, { out })],
    ready: /workers got/, processes: 1,
    check: (snapshots) => {
      const tids = new Set(snapshots.flatMap((s) => s.traceEvents.filter((e) => e.ph !== 'M').map((e) => e.tid)));
      assert.ok([...tids].some((tid) => tid !== 0 && tid !== undefined), `no event recorded on a worker thread's lane (tids: ${[...tids].join(', ')})`);
    },
  },
  {
    title: 'cluster (a primary and two forked workers)',
    plain: [node, [join(FIXTURES, 'app-cluster.js')], plainEnv()],
    recorded: (registry, out) => [node, ['--require', RECORDER, join(FIXTURES, 'app-cluster.js')], recorderEnv(registry, { out })],
    ready: /4 answers/, processes: 3,
  },
];

async function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, whileReady?: () => Promise<void>): Promise<RunResult> {
  const running = start(command, args, { env, cwd: FIXTURES, stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 60_000 });
  try {
    await waitFor(`${ready} on stdout`, () => {
      if (running.child.exitCode !== null) throw new Error(`exited early: ${running.stderr()}`);
      return ready.test(running.stdout());
    }, 30_000);
    if (whileReady) await whileReady();
  } finally {
    running.child.stdin?.end();
  }
  const result = await running.exited;
  return result;
}

for (const kind of kinds) {
  test(`${kind.title}: same output and exit code, and every process snapshots over the control channel`, { timeout: 120_000 }, async () => {
    const plain = await runToEnd(...kind.plain, kind.ready);
    assert.equal(plain.code, 0, `the fixture fails without the recorder: ${plain.stderr}`);
    const registry = join(scratch.path, `registry-${kind.title.replace(/\W+/g, '-')}`);
    const out = join(scratch.path, `out-${kind.title.replace(/\W+/g, '-')}`);
    const snapshots: SnapshotLike[] = [];
    const [command, args, env] = kind.recorded(registry, out);
    const recorded = await runToEnd(command, args, env, kind.ready, async () => {
      const pids = await waitFor(`${kind.processes || 'some'} registered processes`, () => {
        const found = existsSync(registry) ? readdirSync(registry).filter((n) => /^\d+\.json$/.test(n)).map((n) => Number.parseInt(n, 10)) : [];
        const live = found.filter((pid) => readRegistryEntry(registry, pid));
        return (kind.processes ? live.length >= kind.processes : live.length >= 1) ? live : undefined;
      }, 15_000);
      for (const pid of pids) {
        const entry = readRegistryEntry(registry, pid);
        assert.ok(entry, `registry entry of ${pid} vanished`);
        const reply = await controlRequest(entry.socket, { id: 1, type: 'snapshot', reason: 'kinds', out }, 20_000);
        assert.ok(reply.ok && reply.type === 'snapshot', `pid ${pid}: ${JSON.stringify(reply)}`);
        const snapshot = readSnapshot(reply.path);
        assert.deepEqual(validateSnapshot(snapshot, { maxViolations: 5 }), [], `snapshot of ${pid} does not validate`);
        snapshots.push(snapshot);
      }
    });
    assert.equal(recorded.stdout, plain.stdout, 'stdout differs with the recorder');
    assert.equal(recorded.stderr, plain.stderr, 'stderr differs with the recorder');
    assert.equal(recorded.code, plain.code, 'exit code differs with the recorder');
    const spans = snapshots.flatMap((s) => s.traceEvents.filter((e) => e.cat === 'http.server' || e.cat === 'http.client'));
    assert.ok(spans.length > 0, 'no HTTP span in any snapshot');
    kind.check?.(snapshots);
  });
}
