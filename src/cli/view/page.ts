// The HTML page `cli view` serves: the viewer bundle and its stylesheet, under a strict
// Content-Security-Policy with a fresh nonce per response. No trace data is ever inlined
// into the page; the viewer fetches its event summary from /trace/summary (or, when there is
// none, the file from /trace) and parses it itself.

export function contentSecurityPolicy(nonce: string, inMeta = false): string {
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  // frame-ancestors only works as a header; browsers warn when a <meta> carries it.
  if (!inMeta) directives.push("frame-ancestors 'none'");
  return directives.join('; ');
}

/**
 * `summary`: the page reads /trace/summary, which the browser starts fetching (preload) while
 * it loads the script — the summary is most of what the first frame waits for.
 */
export function viewerPage(nonce: string, title: string, summary = false): string {
  const summaryAttributes = summary ? ' data-summary-url="/trace/summary" data-bytes-url="/trace/bytes" data-search-url="/trace/search"' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce, true)}">
<title>${escapeHtml(title)} — Flight Recorder</title>
<link rel="stylesheet" href="/viewer.css">${summary ? '\n<link rel="preload" href="/trace/summary" as="fetch" crossorigin="anonymous">' : ''}
</head>
<body data-trace-url="/trace"${summaryAttributes}>
<div id="nfr-root"></div>
<script nonce="${nonce}" src="/viewer.js"></script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
