// Reference point for the async-causality benchmark: the cheapest possible promise hooks —
// v8.promiseHooks with init/before/after/settled callbacks that only bump a counter, no
// recording. Whatever the recorder's async causality costs above this is its own work.
// Preload with `--require`.
'use strict';
const { promiseHooks } = require('node:v8');

let calls = 0;
const count = () => {
  calls++;
};
promiseHooks.createHook({ init: count, before: count, after: count, settled: count });
process.on('exit', () => {
  if (calls < 0) console.log(calls); // keeps `calls` observable so the hooks are not optimised away
});
