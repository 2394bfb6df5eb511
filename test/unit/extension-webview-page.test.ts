// The timeline webview's page: a strict CSP (the nonce'd bundle is the only script; nothing
// remote, no inline script or eval), and hostile file names escaped in the title.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, nonce, timelinePage } from '../../src/extension/timeline/page';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));
}

test('the CSP allows only the nonce\'d script and local resources', () => {
  const d = directives(contentSecurityPolicy(CSP_SOURCE, 'abc123'));
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'nonce-abc123'"]);
  assert.deepEqual(d.get('style-src'), [CSP_SOURCE]);
  assert.deepEqual(d.get('connect-src'), ["'none'"]);
  for (const [name, values] of d) {
    for (const value of values) {
      assert.ok(!/unsafe-inline|unsafe-eval|\*|^https?:$|^data:$/.test(value) || (name === 'img-src' && value === 'data:'), `${name} ${value}`);
    }
  }
});

test('nonces are fresh and safe in an attribute', () => {
  const a = nonce();
  const b = nonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9]{16,}$/);
});

test('the page loads exactly one script, with the nonce, and escapes the title', () => {
  const html = timelinePage({
    cspSource: CSP_SOURCE,
    scriptNonce: 'n0nce',
    scriptUri: `${CSP_SOURCE}/ext/dist/viewer.js`,
    styleUri: `${CSP_SOURCE}/ext/media/viewer.css`,
    title: '</title><script>alert(1)</script>.nodetrace.json',
  });
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script nonce="n0nce" src="${CSP_SOURCE}/ext/dist/viewer.js">`]);
  assert.ok(html.includes('&#60;/title&#62;&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.ok(html.includes('<div id="nfr-root"></div>'));
});
