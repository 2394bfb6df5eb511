#!/usr/bin/env node
// The default recorder's per-request work in isolation: publishes the two diagnostics_channel
// messages Node publishes for every HTTP server request (`http.server.request.start`,
// `http.server.response.finish`) with request/response stand-ins (a real EventEmitter as the
// response, URLs cycling through 10 000 ids), and measures thread CPU time per request with
// the recorder started vs stopped (library API), and with empty functions subscribed instead
// (what Node's publishing costs any subscriber, before the hooks do anything), in 27 phases
// whose kinds follow one another equally often. No sockets, no load generator, so the
// machine's load changes this far less than an HTTP A/B.
//   node test/bench/micro-request-hooks.mjs [--requests 50000]   (per phase)
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { recorderEnv, recorderPath } from './lib/env.mjs';
import { median, summarize } from './lib/stats.mjs';

Object.assign(process.env, recorderEnv());
const { FlightRecorder } = createRequire(import.meta.url)(recorderPath);
const argv = process.argv.slice(2);
const perPhase = Number(argv.includes('--requests') ? argv[argv.indexOf('--requests') + 1] : 50_000);
const start = diagnostics.channel('http.server.request.start');
const finish = diagnostics.channel('http.server.response.finish');
// Flat strings, as Node's HTTP parser hands them over (a template literal would make cons
// strings, which every character read walks: several times slower to copy than req.url is).
const urls = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`/api/users/${i}?token=abc`, 'latin1').toString('latin1'));

const server = new EventEmitter(); // stands for the http.Server the messages carry
const socket = new EventEmitter();
socket.remoteAddress = '127.0.0.1';
socket.remotePort = 50000;

function requests(count, offset) {
  for (let i = 0; i < count; i++) {
    const request = { method: 'GET', url: urls[(offset + i) % urls.length], headers: {} };
    const response = new EventEmitter();
    response.statusCode = 200;
    response.req = request;
    if (start.hasSubscribers) start.publish({ request, response, socket, server });
    response.writableFinished = true;
    if (finish.hasSubscribers) finish.publish({ request, response, socket, server });
  }
}

// This thread's on-CPU time (the watchdog thread's start-up is not per-request work).
const cpuNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
const on = [];
const off = [];
/** Phases with empty functions subscribed instead: what Node's publishing costs any subscriber. */
const empty = [];
const nothing = () => undefined;
const subscribeNothing = () => {
  diagnostics.subscribe('http.server.request.start', nothing);
  diagnostics.subscribe('http.server.response.finish', nothing);
  return () => {
    diagnostics.unsubscribe('http.server.request.start', nothing);
    diagnostics.unsubscribe('http.server.response.finish', nothing);
  };
};
requests(perPhase, 0); // warm-up without
const recorder = new FlightRecorder({});
recorder.start();
requests(perPhase, 0); // warm-up with
recorder.stop();
const unsubscribeWarmUp = subscribeNothing();
requests(perPhase, 0); // and with empty subscribers
unsubscribeWarmUp();
// Each kind of phase follows each other kind equally often: off on empty, on empty off, ...
const ORDER = ['off', 'on', 'empty', 'on', 'empty', 'off', 'empty', 'off', 'on'];
let offset = 0;
for (let phase = 0; phase < 27; phase++) {
  const kind = ORDER[phase % ORDER.length];
  const instance = kind === 'on' ? new FlightRecorder({}) : null;
  instance?.start();
  const unsubscribe = kind === 'empty' ? subscribeNothing() : undefined;
  await settle();
  const before = cpuNs();
  requests(perPhase, offset);
  const nsPerRequest = (cpuNs() - before) / perPhase;
  offset += perPhase;
  instance?.stop();
  unsubscribe?.();
  (kind === 'on' ? on : kind === 'empty' ? empty : off).push(nsPerRequest);
}
const cost = median(on) - median(off);
const publishing = median(empty) - median(off);
const onS = summarize(on);
const offS = summarize(off);
const emptyS = summarize(empty);
console.log(`per request (stand-in objects, ${perPhase} per phase, 9 phases each):`);
console.log(`  recorder off:      ${offS.median.toFixed(0)} ns (${offS.min.toFixed(0)}–${offS.max.toFixed(0)})`);
console.log(`  recorder on:       ${onS.median.toFixed(0)} ns (${onS.min.toFixed(0)}–${onS.max.toFixed(0)})`);
console.log(`  empty subscribers: ${emptyS.median.toFixed(0)} ns (${emptyS.min.toFixed(0)}–${emptyS.max.toFixed(0)})`);
console.log(`  recorder's own work: ${cost.toFixed(0)} ns per request, of which Node's publishing to any subscriber ${publishing.toFixed(0)} ns and the hooks ${(cost - publishing).toFixed(0)} ns`);
console.log(`MICRO ${JSON.stringify({ offNs: offS, onNs: onS, emptyNs: emptyS, costNs: cost, publishingNs: publishing })}`);
process.exit(0);
