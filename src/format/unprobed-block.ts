// Why an event-loop block may have no place (no stack from the watchdog's probe, no CPU
// samples): one sentence for every reader that shows such a block (the CLI's summary, the
// viewer's details), so they say the same rule — the one watchdog/loop-probe.ts implements.

/** The probe's reach, as a clause: "the recorder looks … threads". */
export const LOOP_PROBE_REACH =
  'the recorder looks where a thread is only in blocks of ~100\u00a0ms or more (~250\u00a0ms on a worker thread), ' +
  'while work is under way (the loop busy, an HTTP request just arrived) or within 30 s of an earlier block, and in a ' +
  'block that starts other work of an idle program (a timer’s job) only once it lasts ~1.2 s — five times a second at most';
