// The load generator, run as its own process so it never shares an event loop with the
// server: a warm-up, then one measured autocannon run. Talks to the runner on stdout:
//   MEASURE_START            the measured run begins now (the runner reads server CPU time)
//   RESULT {json}            requests, throughput, latency, errors of the measured run
// Usage: node loadgen.mjs <url> <connections> <warmupSeconds> <durationSeconds> [ratePerSecond]
// With a rate, requests are sent at that fixed overall rate (open loop) instead of as fast as
// the server answers: both sides of an A/B then serve the same arrivals, batched the same way.
// A `{n}` in the URL's path is replaced per request by a counter cycling through 10 000 values,
// so the server sees varied URLs (ids) as real APIs do, not one string interned once.
import autocannon from 'autocannon';

const [url, connectionsText, warmupText, durationText, rateText] = process.argv.slice(2);
const ratePerSecond = Number(rateText) || 0;
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
  console.error('loadgen: loopback URL required (http://127.0.0.1:<port>/...)');
  process.exit(2);
}
const connections = Number(connectionsText) || 32;

const { origin, pathname, search } = new URL(url.replace('{n}', '__N__'));
const pathTemplate = decodeURIComponent(pathname) + search;
let counter = 0;
const setupRequest = pathTemplate.includes('__N__')
  ? (request) => ({ ...request, path: pathTemplate.replace('__N__', String(counter++ % 10_000)) })
  : undefined;

function run(durationSeconds) {
  const options = { url: origin, connections, duration: durationSeconds, pipelining: 1, timeout: 10, requests: [{ method: 'GET', path: pathTemplate, setupRequest }] };
  return autocannon(ratePerSecond > 0 ? { ...options, overallRate: ratePerSecond } : options);
}

if (Number(warmupText) > 0) await run(Number(warmupText));
process.stdout.write('MEASURE_START\n');
const startedMs = performance.now();
const result = await run(Number(durationText) || 5);
const elapsedMs = performance.now() - startedMs;
process.stdout.write(
  `RESULT ${JSON.stringify({
    requests: result.requests.total,
    elapsedMs,
    requestsPerSecond: result.requests.total / (elapsedMs / 1000),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  })}\n`,
);
