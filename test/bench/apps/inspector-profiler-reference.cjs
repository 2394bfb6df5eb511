// Reference for http-cpu-1ms: V8's sampler at 1 ms started through an in-process inspector
// session (as the recorder's CPU source does), with no recorder at all. With
// NFR_ROTATE_MS=<n> it also stops and restarts the profile every n ms, as the source does.
'use strict';
const { Session } = require('node:inspector');
const session = new Session();
session.connect();
const post = (method, params) => session.post(method, params || {}, () => {});
post('Profiler.enable');
post('Profiler.setSamplingInterval', { interval: 1000 });
post('Profiler.start');
const rotateMs = Number(process.env.NFR_ROTATE_MS || 0);
if (rotateMs > 0) {
  setInterval(() => {
    post('Profiler.stop');
    post('Profiler.start');
  }, rotateMs).unref();
}
