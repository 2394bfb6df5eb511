// Child processes for benchmarks: start a server and wait for its port, read its CPU time
// from /proc, stop it. Every child is tracked so the runner can kill leftovers on exit.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const live = new Set();

/** CPU time (user + system) of a process so far, in µs; resolution 1/CLK_TCK s (10 ms). */
export function cpuTimeUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields are counted after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utimeTicks = Number(fields[11]);
  const stimeTicks = Number(fields[12]);
  return ((utimeTicks + stimeTicks) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process now, in bytes (VmRSS), and its peak (VmHWM). */
export function memoryBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/**
 * Spawns `node ...nodeArgs` and resolves once a stdout line matches `readyPattern`
 * (e.g. /^LISTENING (\d+)$/), with the match; rejects on exit or after `timeoutMs`.
 * `wrapper`: a command that runs Node (`['valgrind', '--tool=callgrind']`): spawned as
 * `wrapper... node ...nodeArgs`.
 */
export function startNode(nodeArgs, { env = {}, readyPattern, timeoutMs = 20_000, cwd, wrapper = [] } = {}) {
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs];
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stderrTail = () => stderr;
  const lines = [];
  const waiters = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) waiter(line);
    }
  });
  /** Resolves with the first line (already seen or future) matching `pattern`. */
  child.waitForLine = (pattern, waitMs = timeoutMs) =>
    new Promise((resolve, reject) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return resolve(pattern.exec(seen));
      const timer = setTimeout(() => done(new Error(`timed out after ${waitMs} ms waiting for ${pattern}; stderr: ${stderr}`)), waitMs);
      const onExit = (code, signal) => done(new Error(`exited (${code ?? signal}) before ${pattern}; stderr: ${stderr}`));
      const waiter = (line) => {
        if (pattern.test(line)) done(null, pattern.exec(line));
      };
      function done(error, match) {
        clearTimeout(timer);
        child.off('exit', onExit);
        waiters.splice(waiters.indexOf(waiter), 1);
        if (error) reject(error);
        else resolve(match);
      }
      waiters.push(waiter);
      child.once('exit', onExit);
    });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  if (!readyPattern) return Promise.resolve({ child, match: null });
  return child.waitForLine(readyPattern).then((match) => ({ child, match }));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export function killAll() {
  for (const child of live) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** On-CPU time of one thread of a process, in ns (schedstat: precise, unlike the 10 ms ticks). */
export function threadCpuNs(pid, tid = pid) {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

/** On-CPU time of all threads of a process, in ns (threads that exited are not counted). */
export function processCpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += threadCpuNs(pid, tid);
    } catch {
      // the thread exited meanwhile
    }
  }
  return total;
}
