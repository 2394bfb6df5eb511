import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Ring, MIN_RING_BYTES } from '../../src/recorder/ring/index';
import { Kind } from '../../src/recorder/sources/kinds';
import { scanLiveMetrics } from '../../src/recorder/watchdog/live-scan';

test('live metrics: requests completed in place are finished, open ones in flight; counters from the newest records', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const nowUs = 10_000_000;
  const finished = ring.writeOpen(Kind.httpServerBegin, nowUs - 500_000, 0, 1, 1, 0, 0, 0);
  ring.complete(finished, Kind.httpServerSpan, 100_000, 200);
  const longAgo = ring.writeOpen(Kind.httpServerBegin, nowUs - 5_000_000, 0, 2, 1, 0, 0, 0);
  ring.complete(longAgo, Kind.httpServerSpan, 100_000, 200);
  ring.writeOpen(Kind.httpServerBegin, nowUs - 200_000, 0, 3, 1, 0, 0, 0);
  // The older layout: a begin and an end record.
  ring.write(Kind.httpServerBegin, nowUs - 300_000, 0, 4, 1, 0, 0, 0);
  ring.write(Kind.httpServerEnd, nowUs - 300_000, 1000, 4, 200, 1, 0, 0);
  ring.write(Kind.memory, nowUs - 1_500_000, 0, 100 * 1024, 10 * 1048576, 0, 0, 0); // older: not the one read
  ring.write(Kind.loopUtilization, nowUs - 600_000, 0, 0, 0.25e6, 0, 0, 0);
  ring.write(Kind.memory, nowUs - 500_000, 0, 200 * 1024, 64 * 1048576, 0, 0, 0);
  ring.write(Kind.loopDelay, nowUs - 100, 0, 9000, 1000, 4000, 0, 0);
  assert.deepEqual(scanLiveMetrics(ring.buffer, nowUs), {
    loopDelayP99Ms: 4, loopUtilization: 0.25, heapUsedMB: 64, rssMB: 200, requestsPerSec: 2, activeRequests: 1,
  });
  assert.deepEqual(scanLiveMetrics(new Ring(MIN_RING_BYTES).buffer, nowUs), {
    loopDelayP99Ms: 0, loopUtilization: 0, heapUsedMB: 0, rssMB: 0, requestsPerSec: 0, activeRequests: 0,
  }, 'an empty ring reads as zeros');
});
