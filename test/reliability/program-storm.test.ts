// Event storm: the user API `log` called in a tight loop for a few seconds (well over a million
// events) must keep the recorder's memory within maxBytes + 8 MiB — measured as the peak RSS of
// the recorded program minus that of the same program without the recorder — and the events
// overwritten in the ring must be counted in metadata.droppedEvents.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, RECORDER, controlRequest, plainEnv, readSnapshot, recorderEnv, start, tempDir, waitFor, waitForRegistration, type Running } from './helpers';

const MIB = 1024 * 1024;
const MAX_BYTES = 16 * MIB;
const STORM_MS = 3000;

const scratch = tempDir('storm');
after(() => scratch.remove());

interface StormReport {
  calls: number;
  durationMs: number;
  perSecond: number;
  peakRss: number;
  hasLog: boolean;
}

async function stormReport(running: Running): Promise<StormReport> {
  const line = await waitFor('the storm report', STORM_MS + 20_000, () => running.stdout().split('\n').find((l) => l.startsWith('{"calls"')));
  return JSON.parse(line) as StormReport;
}

test(`an event storm keeps memory within maxBytes + 8 MiB and counts drops (maxBytes ${MAX_BYTES / MIB} MiB, ${STORM_MS / 1000} s)`, { timeout: 90_000 }, async (t) => {
  const baseline = start(process.execPath, [join(FIXTURES, 'storm.js')], { env: plainEnv({ STORM_MS: String(STORM_MS) }), stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 60_000 });
  const plain = await stormReport(baseline).finally(() => baseline.child.stdin?.end());
  await baseline.exited;

  const registry = join(scratch.path, 'registry');
  const out = join(scratch.path, 'out');
  const recorded = start(process.execPath, ['--require', RECORDER, join(FIXTURES, 'storm.js')], {
    env: recorderEnv(registry, { out, maxBytes: MAX_BYTES }, { NFR_RECORDER_PATH: RECORDER, STORM_MS: String(STORM_MS) }),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeoutMs: 60_000,
  });
  try {
    const entry = await waitForRegistration(registry, recorded.pid, 20_000, recorded);
    const storm = await stormReport(recorded);
    assert.ok(storm.hasLog, 'the recorder exports no `log` function');
    const growth = storm.peakRss - plain.peakRss;
    t.diagnostic(`storm: ${storm.calls} events in ${storm.durationMs.toFixed(0)} ms = ${(storm.perSecond / 1e6).toFixed(2)} M/s; peak RSS ${(storm.peakRss / MIB).toFixed(1)} MiB vs ${(plain.peakRss / MIB).toFixed(1)} MiB without the recorder (+${(growth / MIB).toFixed(1)} MiB)`);
    if (storm.perSecond < 1e6) t.diagnostic(`note: below 1 M events/s on this machine (${storm.perSecond}/s); the bound is checked all the same`);
    assert.ok(growth <= MAX_BYTES + 8 * MIB, `RSS grew ${(growth / MIB).toFixed(1)} MiB > maxBytes + 8 MiB = ${(MAX_BYTES + 8 * MIB) / MIB} MiB`);

    const reply = await controlRequest(entry.socket, { id: 1, type: 'snapshot', reason: 'storm', out }, 30_000);
    assert.ok(reply.ok && reply.type === 'snapshot', JSON.stringify(reply));
    const snapshot = readSnapshot(reply.path);
    const logged = snapshot.traceEvents.filter((e) => e.cat === 'user').length;
    const dropped = snapshot.metadata.droppedEvents;
    t.diagnostic(`snapshot: ${snapshot.traceEvents.length} events (${logged} user), droppedEvents ${dropped}, ${(reply.bytes / MIB).toFixed(1)} MiB`);
    assert.equal(typeof dropped, 'number');
    assert.ok(logged > 0, 'no user event in the snapshot');
    assert.ok(logged < storm.calls, 'the ring held every event of the storm?');
    assert.ok((dropped as number) > 0, `droppedEvents is ${dropped} although ${storm.calls} events went into a ${MAX_BYTES / MIB} MiB ring`);
    assert.ok((dropped as number) + logged <= storm.calls + 100_000, `droppedEvents ${dropped} + kept ${logged} exceeds the events written ${storm.calls}`);
  } finally {
    recorded.child.stdin?.end();
    await Promise.race([recorded.exited, new Promise((r) => setTimeout(r, 10_000))]);
    recorded.kill();
  }
  const result = await recorded.exited;
  assert.equal(result.code, 0, result.stderr);
});
