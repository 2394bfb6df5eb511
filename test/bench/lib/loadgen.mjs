// The load generator, run as its own process so it never shares an event loop with the
// server: a warm-up, then one measured autocannon run. Talks to the runner on stdout:
//   MEASURE_START            the measured run begins now (the runner reads server CPU time)
//   RESULT {json}            requests, throughput, latency, errors of the measured run
// Usage: node loadgen.mjs <url> <connections> <warmupSeconds> <durationSeconds> [ratePerSecond] [groups]
// With a rate, requests are sent at that fixed overall rate (open loop) instead of as fast as
// the server answers: both sides of an A/B then serve the same arrivals, batched the same way.
// autocannon keeps a rate by letting each connection send its share of a second's requests as
// fast as it can at the start of every second: the server sees a burst each second and idles
// in between. With `groups` > 1, that many autocannon runs share the rate and the connections,
// started 1/groups of a second apart: the bursts come `groups` times a second, each that much
// smaller — closer to the steady arrivals of a service's traffic.
// A `{n}` in the URL's path is replaced per request by a counter cycling through 10 000 values,
// so the server sees varied URLs (ids) as real APIs do, not one string interned once.
import autocannon from 'autocannon';

const [url, connectionsText, warmupText, durationText, rateText, groupsText] = process.argv.slice(2);
const ratePerSecond = Number(rateText) || 0;
const groups = ratePerSecond > 0 ? Math.max(1, Math.floor(Number(groupsText) || 1)) : 1;
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

function runOne(durationSeconds, share = 1) {
  const options = { url: origin, connections: Math.max(1, Math.round(connections * share)), duration: durationSeconds, pipelining: 1, timeout: 10, requests: [{ method: 'GET', path: pathTemplate, setupRequest }] };
  return autocannon(ratePerSecond > 0 ? { ...options, overallRate: Math.max(1, Math.round(ratePerSecond * share)) } : options);
}

/** One run, or `groups` runs started a fraction of a second apart, their counts added (latency: the median group's p50, the worst p99). */
async function run(durationSeconds) {
  if (groups === 1) return runOne(durationSeconds);
  const results = await Promise.all(
    Array.from({ length: groups }, (_, i) => new Promise((resolve) => setTimeout(resolve, (i * 1000) / groups)).then(() => runOne(durationSeconds, 1 / groups))),
  );
  const sum = (pick) => results.reduce((total, result) => total + pick(result), 0);
  const p50s = results.map((result) => result.latency.p50).sort((a, b) => a - b);
  return {
    requests: { total: sum((result) => result.requests.total) },
    latency: { p50: p50s[Math.floor(p50s.length / 2)], p99: Math.max(...results.map((result) => result.latency.p99)) },
    errors: sum((result) => result.errors),
    timeouts: sum((result) => result.timeouts),
    non2xx: sum((result) => result.non2xx),
  };
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
