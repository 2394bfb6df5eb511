// A minimal client of the recorder's control channel (src/format/control.ts): NDJSON over the
// Unix socket listed in the registry directory. Written here, not imported from src/client,
// so the benchmarks measure the recorder alone and keep working while the CLI changes.
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNode, stop } from './proc.mjs';

/** Waits (polling, bounded) until `<registry>/<pid>.json` exists and parses it. */
export async function waitForRegistryEntry(registryDir, pid, timeoutMs = 10_000) {
  const path = join(registryDir, `${pid}.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        // written but not complete yet: poll again
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no registry entry for pid ${pid} in ${registryDir} after ${timeoutMs} ms`);
}

let nextId = 1;

/** Sends one request, resolves with its response (matched by id) or rejects after timeoutMs. */
export function request(socketPath, body, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const socket = connect(socketPath);
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`control request ${body.type} timed out after ${timeoutMs} ms`)), timeoutMs);
    function finish(error, response) {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response);
    }
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ ...body, id })}\n`));
    socket.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const message = JSON.parse(line);
          if (message.id === id) return finish(null, message);
        } catch {
          // not ours / not JSON: ignore
        }
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`control socket closed before the ${body.type} response`)));
  });
}

/**
 * Runs `node nodeArgs` (a benchmark app with the recorder preloaded, `env` its environment),
 * waits for its line matching `pattern`, has the recorder write a snapshot, and stops the app:
 * the line's match and the snapshot's events (none when the snapshot failed).
 */
export async function recordedRunThenSnapshot({ nodeArgs, env, registryDir, pattern, timeoutMs, reason }) {
  const { child } = await startNode(nodeArgs, { env });
  try {
    const match = await child.waitForLine(pattern, timeoutMs);
    const entry = await waitForRegistryEntry(registryDir, child.pid);
    const answer = await request(entry.socket, { type: 'snapshot', reason });
    const events = answer.ok ? JSON.parse(readFileSync(answer.path, 'utf8')).traceEvents : [];
    return { match, events };
  } finally {
    await stop(child);
  }
}
