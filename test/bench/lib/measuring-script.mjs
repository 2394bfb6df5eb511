// A benchmark row that runs one of the measuring scripts (attribute.mjs, instructions.mjs) in a
// Node of its own and reads its result: the line `<MARKER> <json>` it prints last, the lines
// before it to log. A script that cannot measure here (no perf, no valgrind) says so on a line
// `<name>: <why>` instead, and the row is skipped with that reason.
import { spawnSync } from 'node:child_process';

/**
 * Runs `node scriptPath ...args` and returns `{ numbers, lines }`, or `{ skipped }`; throws when
 * the script failed.
 * @param {{ nodePath?: string, env?: Record<string, string>, timeoutMs: number }} options
 */
export function runMeasuringScript(scriptPath, args, marker, { nodePath = process.execPath, env, timeoutMs }) {
  const result = spawnSync(nodePath, [scriptPath, ...args], { encoding: 'utf8', timeout: timeoutMs, env: env && { ...process.env, ...env } });
  const line = new RegExp(`^${marker} (.*)$`, 'm').exec(result.stdout ?? '');
  const name = marker.toLowerCase();
  if (!line) {
    const said = (result.stdout ?? '').trim().split('\n').pop() ?? '';
    if (said.startsWith(`${name}:`)) return { skipped: said.slice(name.length + 1).trim() };
    throw new Error(`${scriptPath.split('/').pop()} failed: ${result.stderr || result.signal}`);
  }
  return { numbers: JSON.parse(line[1]), lines: result.stdout.trim().split('\n').slice(0, -1) };
}
