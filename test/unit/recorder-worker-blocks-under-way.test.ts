// A worker whose loop has not come back when a snapshot is taken: the watchdog finds it by its
// tick, asks where it is (and whether it is still there), and keeps the block only while the
// loop is still away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerBlocksUnderWay } from '../../src/recorder/watchdog/worker-blocks-under-way';
import { WORKER_GONE } from '../../src/recorder/watchdog/worker-probe';
import { H_LOOP_TICK_DUE_US } from '../../src/recorder/ring/layout';
import { nowUs } from '../../src/recorder/clock';

function worker(tid: number, overdueMs: number): { tid: number; header: Float64Array } {
  const header = new Float64Array(8);
  header[H_LOOP_TICK_DUE_US] = nowUs() - overdueMs * 1000;
  return { tid, header };
}

test('stuck workers are found by their ticks, asked where they are, and a gone one is dropped', async () => {
  const spinning = worker(2, 1500);
  const late = worker(3, 60); // merely late: not blocked
  const gone = worker(4, 3000); // ended by worker.terminate(): its tick never came again
  const native = worker(5, 900); // in native code: no answer now, but the loop probe found it earlier
  const asked: number[] = [];
  const blocks = await workerBlocksUnderWay(
    [spinning, late, gone, native],
    [{ ts: native.header[H_LOOP_TICK_DUE_US]! + 200_000, frames: [{ functionName: 'inflateSync', url: 'node:zlib', lineNumber: 1, columnNumber: 1 }], tid: 5 }],
    async (_expression, _timeoutMs, tid) => {
      asked.push(tid);
      if (tid === 4) return WORKER_GONE;
      if (tid === 5) return undefined;
      return [[1, 0], [['spinInWorker', '/app.js', 2, 27]]];
    },
  );
  assert.deepEqual(asked.sort(), [2, 4, 5], 'the late worker is not asked');
  // (The watchdog's evaluate notes a gone worker as ended: the integration test's "(exited)" lane.)
  assert.deepEqual(blocks.map((b) => b.tid), [2, 5], 'the gone worker has no block');
  const [spin, inNative] = blocks;
  assert.equal(spin!.frames[0]!.functionName, 'spinInWorker');
  assert.equal(spin!.startUs, spinning.header[H_LOOP_TICK_DUE_US]);
  assert.ok(spin!.endUs - spin!.startUs >= 1_500_000);
  assert.equal(inNative!.frames[0]!.functionName, 'inflateSync', 'the loop probe\'s find in this block');
  assert.equal(inNative!.framesAtMs, 200);
  assert.equal(spin!.stillAway(), true);
  spinning.header[H_LOOP_TICK_DUE_US] = nowUs() + 50_000; // its loop came back
  assert.equal(spin!.stillAway(), false, 'dropped when the loop is back as the lanes are copied');
});
