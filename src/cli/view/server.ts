// The HTTP server behind `cli view`: 127.0.0.1 only, routes for the page, script, stylesheet,
// the trace itself and its fast path (the event summary and byte ranges, summary-routes.ts),
// a Host-header check against DNS rebinding, and no caching.
import { randomBytes } from 'node:crypto';
import { createReadStream, fstat, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { contentSecurityPolicy, spareBytesFor, viewerPage } from './page';
import { COMMON_HEADERS, send } from './respond';
import { sendByteRanges, sendSearch, sendSummary } from './summary-routes';
import { summaryThreadsFor } from '../../client/summary-parts';
import { TraceSummaryCache } from '../../client/trace-summary';

export interface ViewServerOptions {
  tracePath: string;
  viewerScriptPath: string;
  viewerStylePath: string;
  port: number;
  /** Serve the event summary (the fast path); off, the page reads /trace as it always did. Default on. */
  summary?: boolean;
}

/**
 * The largest trace the viewer can open. A browser tab holds the whole file as one string and
 * V8 strings stop at 2^29 - 24 characters (~512 MiB), so anything bigger would download in
 * full and then fail with a misleading message. Refuse it up front instead.
 */
export const MAX_TRACE_BYTES = 512 * 1024 * 1024 - 64;

export function traceTooLargeMessage(sizeBytes: number): string {
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
  return `This file is ${mib(sizeBytes)}; the viewer opens traces up to ${mib(MAX_TRACE_BYTES)} (a browser cannot hold a larger JSON text as one string). ` +
    'Take a snapshot over a shorter window, or split the trace.';
}

export function startViewServer(options: ViewServerOptions): Promise<{ server: Server; url: string }> {
  // Built while the browser loads the page: by the time the page asks, it is usually ready.
  const cache = options.summary === false ? undefined : new TraceSummaryCache(options.tracePath);
  cache?.prepare();
  const server = createServer((request, response) => handle(request, response, options, server, cache));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** The page's spare buffer while the summary is still being built (none once it is ready: the answer comes at once). */
function spareBytes(tracePath: string, cache: TraceSummaryCache | undefined): number {
  if (!cache?.inProgress()) return 0;
  try {
    const fileBytes = statSync(tracePath).size;
    return spareBytesFor(fileBytes, cache.eventsPerByteSoFar(), availableParallelism() - summaryThreadsFor(fileBytes));
  } catch {
    return 0;
  }
}

function handle(request: IncomingMessage, response: ServerResponse, options: ViewServerOptions, server: Server, cache: TraceSummaryCache | undefined): void {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = request.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    send(response, 421, 'text/plain; charset=utf-8', 'This viewer only answers on its own loopback address.\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    return;
  }
  const path = (request.url ?? '/').split('?')[0];
  switch (path) {
    case '/':
    case '/index.html': {
      const nonce = randomBytes(18).toString('base64');
      response.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy(nonce) });
      response.end(request.method === 'HEAD' ? undefined : viewerPage(nonce, basename(options.tracePath), cache !== undefined, spareBytes(options.tracePath, cache)));
      return;
    }
    case '/viewer.js':
      streamFile(response, options.viewerScriptPath, 'text/javascript; charset=utf-8', {});
      return;
    case '/viewer.css':
      streamFile(response, options.viewerStylePath, 'text/css; charset=utf-8', {});
      return;
    case '/trace':
      streamFile(response, options.tracePath, 'application/json; charset=utf-8', { 'x-trace-file-name': encodeURIComponent(basename(options.tracePath)) }, MAX_TRACE_BYTES);
      return;
    case '/trace/summary':
    case '/trace/bytes':
    case '/trace/search': {
      const extra = { 'x-trace-file-name': encodeURIComponent(basename(options.tracePath)) };
      if (!cache) {
        send(response, 404, 'text/plain; charset=utf-8', 'This server sends the whole file only: read /trace.\n', extra);
        return;
      }
      const answer = path === '/trace/summary'
        ? sendSummary(request, response, cache, extra)
        : path === '/trace/bytes'
        ? sendByteRanges(request, response, cache, extra)
        : sendSearch(request, response, cache, extra);
      answer.catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${error instanceof Error ? error.message : String(error)}\n`, extra);
        else response.destroy();
      });
      return;
    }
    case '/trace/progress': {
      // How far the summary build has read the file, for the page's loading screen; 204 when
      // no build is under way (done, not started, or this server sends the whole file).
      const progress = cache?.readProgress();
      if (!progress) {
        response.writeHead(204, COMMON_HEADERS);
        response.end();
        return;
      }
      send(response, 200, 'application/json; charset=utf-8', JSON.stringify(progress));
      return;
    }
    case '/favicon.ico':
      response.writeHead(204, COMMON_HEADERS);
      response.end();
      return;
    default:
      send(response, 404, 'text/plain; charset=utf-8', 'Not found\n');
  }
}

function streamFile(response: ServerResponse, path: string, contentType: string, extra: Record<string, string>, maxBytes = Infinity): void {
  // 1 MiB reads: a 200 MB snapshot goes out in 200 chunks, not 3 000.
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  stream.once('open', (fd) => {
    // Content-Length lets the browser size its buffer once and the page show real progress.
    fstat(fd, (error, info) => {
      if (error) {
        stream.destroy(error);
        return;
      }
      if (info.size > maxBytes) {
        stream.destroy();
        send(response, 413, 'text/plain; charset=utf-8', `${traceTooLargeMessage(info.size)}\n`, extra);
        return;
      }
      response.writeHead(200, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': String(info.size), ...extra });
      stream.pipe(response);
    });
  });
  stream.once('error', (error) => {
    if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `Cannot read ${basename(path)}: ${error.message}\n`, extra);
    else response.destroy();
  });
}
