// A benchmark server and the load on it: the server started with Node (its app prints
// `LISTENING <port>`), the load from lib/loadgen.mjs in a process of its own on loopback, so
// the load generator's CPU never counts as the server's. What lib/ab.mjs, attribute.mjs and
// the threads and toggle rows each start.
import { fileURLToPath } from 'node:url';
import { startNode, stop } from './proc.mjs';

const loadgenPath = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));

/** The path the benchmarks ask for; `{n}` is the load generator's request counter, so no two URLs in a row are the same. */
export const BENCH_PATH = '/api/users/{n}?token=abc';

/** Starts `node <nodeArgs>` (the app last; under `wrapper` when given: proc.mjs) and waits for its port. */
export async function startBenchServer(nodeArgs, { env, cwd, wrapper, timeoutMs } = {}) {
  const { child, match } = await startNode(nodeArgs, { env, cwd, wrapper, timeoutMs, readyPattern: /^LISTENING (\d+)$/ });
  return { server: child, port: Number(match[1]) };
}

/**
 * Starts the load on the server on `port` — `connections` open connections, `ratePerSecond`
 * requests a second in all (0: as fast as it answers) in `groups` bursts a second
 * (lib/loadgen.mjs), `warmupSeconds` before the measured `seconds` — and returns the load
 * generator at once (it prints `MEASURE_START` when its measured part begins, `RESULT <json>`
 * at the end). For a caller that must not wait for the measured part (two sides started
 * together) or waits for the result instead.
 */
export async function spawnLoad(port, { path = BENCH_PATH, connections, warmupSeconds, seconds, ratePerSecond = 0, groups = 1 }) {
  const url = `http://127.0.0.1:${port}${path}`;
  const { child } = await startNode([loadgenPath, url, String(connections), String(warmupSeconds), String(seconds), String(ratePerSecond), String(groups)]);
  return child;
}

/**
 * The same, returning the load generator once its measured part has begun. Stops it again
 * when it never gets there.
 */
export async function startLoad(port, { deadlineMs = 30_000, ...load }) {
  const child = await spawnLoad(port, load);
  try {
    await child.waitForLine(/^MEASURE_START$/, deadlineMs);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return child;
}

/** The load generator's result line (`RESULT <json>`), parsed: requests, throughput, latency, errors of its measured run. */
export async function loadResult(loadgen, timeoutMs) {
  const [, json] = await loadgen.waitForLine(/^RESULT (.*)$/, timeoutMs);
  return JSON.parse(json);
}
