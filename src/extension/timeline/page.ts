// The webview pages' HTML and Content-Security-Policy, pure (unit-tested): one nonce'd script,
// everything else local (the webview's cspSource), no inline script, no remote load, no eval.

export function nonce(): string {
  // The global Web Crypto (Node 18+), not node:crypto: loading that module at activation cost ~10 ms.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18));
  return Buffer.from(bytes).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, scriptNonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${scriptNonce}'`,
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The page itself (pure, unit-tested): the only script is the viewer bundle, with the nonce. */
export function timelinePage(options: { cspSource: string; scriptNonce: string; scriptUri: string; styleUri: string; title: string }): string {
  const { cspSource, scriptNonce } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, scriptNonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(options.styleUri)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body data-host="vscode">
<div id="nfr-root"></div>
<script nonce="${scriptNonce}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
