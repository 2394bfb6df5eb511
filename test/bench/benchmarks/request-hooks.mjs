// The default recorder's per-request work alone (micro-request-hooks.mjs in a fresh process):
// ns of main-thread CPU per HTTP request the recorder's diagnostics_channel handlers add.
// Compared with the CPU a request costs the benchmark server (the A side of http-default,
// when it ran in the same run), it is the per-request overhead without load-generator noise.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(new URL('../micro-request-hooks.mjs', import.meta.url));

export const requestHooksBenchmark = {
  id: 'request-hooks',
  title: 'per-request work of the default recorder alone (http.server channel messages, no sockets)',
  target: '≤ 2 % of the server CPU per request (≈ ≤ 0.6 µs for the benchmark server)',
  needsRecorder: true,
  async run(settings, log, previous) {
    const result = spawnSync(process.execPath, [scriptPath, '--requests', settings.mode === 'quick' ? '20000' : '50000'], { encoding: 'utf8', timeout: 300_000 });
    const line = /^MICRO (.*)$/m.exec(result.stdout ?? '');
    if (!line) throw new Error(`micro-request-hooks failed: ${result.stderr || result.signal}`);
    const numbers = JSON.parse(line[1]);
    const serverUs = previous?.find((row) => row.id === 'http-default')?.details?.A?.cpuUsPerRequest?.median;
    const percent = serverUs ? (numbers.costNs / 1000 / serverUs) * 100 : undefined;
    log(`  recorder off ${numbers.offNs.median.toFixed(0)} ns, on ${numbers.onNs.median.toFixed(0)} ns (${numbers.onNs.min.toFixed(0)}–${numbers.onNs.max.toFixed(0)}) per request`);
    return {
      value: `${(numbers.costNs / 1000).toFixed(2)} µs/req`,
      headline: `${(numbers.costNs / 1000).toFixed(2)} µs of main-thread CPU per request` +
        (percent !== undefined ? ` = ${percent.toFixed(1)} % of the server's ${serverUs.toFixed(1)} µs/req in this run` : '') +
        ` (Node's publishing to any subscriber ${(numbers.publishingNs / 1000).toFixed(2)} µs of it, measured with empty subscribers)`,
      pass: percent === undefined ? null : percent <= 2,
      details: { ...numbers, serverUsPerRequest: serverUs, percentOfServer: percent },
    };
  },
};
