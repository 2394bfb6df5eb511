// Data protection: secrets in request URLs (query strings, credentials), headers (Authorization,
// Cookie, API keys, Set-Cookie) and argv (--token=..., --password ...) never reach a snapshot
// with the default configuration. Real HTTP requests (http.get and fetch, server and client
// side, refused connections) carry the tokens; the whole snapshot file is searched for them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, RECORDER, controlRequest, recorderEnv, start, tempDir, waitFor, waitForRegistration, type SnapshotLike } from './helpers';

const scratch = tempDir('redaction');
after(() => scratch.remove());

test('secrets in URLs, headers and argv never reach the snapshot file (defaults)', async () => {
  const registry = join(scratch.path, 'registry');
  const out = join(scratch.path, 'out');
  const argvSecrets = ['--token=SECRET_ARGV_20', '--password', 'SECRET_ARGV_21', '--api-key=SECRET_ARGV_22', '--db=postgres://admin:SECRET_ARGV_23@127.0.0.1/db', '--callback=http://127.0.0.1/cb?token=SECRET_ARGV_24'];
  const running = start(process.execPath, ['--require', RECORDER, join(FIXTURES, 'secrets-app.js'), ...argvSecrets], {
    env: recorderEnv(registry, { out }, { SECRET_ENV_VALUE: 'SECRET_ENV_30' }),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeoutMs: 60_000,
  });
  let text: string;
  try {
    const entry = await waitForRegistration(registry, running.pid, 20_000, running);
    await waitFor('the traffic to finish', () => running.stdout().includes('traffic done'), 20_000);
    const reply = await controlRequest(entry.socket, { id: 1, type: 'snapshot', reason: 'redaction', out }, 20_000);
    assert.ok(reply.ok && reply.type === 'snapshot', JSON.stringify(reply));
    text = readFileSync(reply.path, 'utf8');
  } finally {
    running.child.stdin?.end();
    await Promise.race([running.exited, new Promise((r) => setTimeout(r, 5000))]);
    running.kill();
  }
  // The requests were recorded (otherwise "no secret" proves nothing).
  const snapshot = JSON.parse(text) as SnapshotLike;
  const urls = snapshot.traceEvents.filter((e) => e.cat === 'http.server' || e.cat === 'http.client').map((e) => String(e.args?.url ?? e.name));
  assert.ok(urls.some((u) => u.includes('/api/items')), `no http span for /api/items; recorded urls: ${urls.slice(0, 10).join(', ')}`);
  assert.ok(urls.some((u) => u.includes('/fetched')), `no span for the fetch; recorded urls: ${urls.slice(0, 10).join(', ')}`);
  assert.ok(urls.some((u) => /token=\*+/.test(u)), 'query keys are kept with a redacted value (token=***)');
  const argv = JSON.stringify(snapshot.metadata.argv);
  assert.ok(argv.includes('--token'), `argv lost its flags: ${argv}`);
  // Nothing secret anywhere in the file.
  const leaked = [...new Set(text.match(/SECRET_[A-Z]+_\d+/g) ?? [])];
  assert.deepEqual(leaked, [], `secrets in the snapshot file: ${leaked.join(', ')}`);
});
