// A preload that observes what the default recorder observes, doing nothing with it: the same
// diagnostics_channel subscriptions and a 'gc' PerformanceObserver, all with empty functions.
// Run as the "recorded" side of cost-pair.mjs (FLIGHT_RECORDER_BENCH_RECORDER=<this file>), it
// measures Node's own side of being observed — the messages it publishes and the GC entries it
// builds — apart from the recorder's work.
'use strict';
const diagnosticsChannel = require('node:diagnostics_channel');
const { PerformanceObserver } = require('node:perf_hooks');

const nothing = () => undefined;
for (const name of ['http.server.request.start', 'http.server.response.finish', 'http.client.request.start', 'http.client.response.finish', 'http.client.request.error', 'net.client.socket', 'net.server.socket']) {
  diagnosticsChannel.subscribe(name, nothing);
}
new PerformanceObserver(nothing).observe({ entryTypes: ['gc'] });
