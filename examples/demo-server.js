// A small service with the problems a flight recorder is for: a handler that blocks the event
// loop, an outgoing fetch, an allocation burst that makes the GC work, and a handler that fails.
// Run it under the recorder:  node dist/cli.js run -- node examples/demo-server.js
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT || 0);

function busyWaitMs(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // The event loop is blocked here; the recorder shows it as "Event loop blocked".
  }
}

function renderReport(rows) {
  return rows.map((row) => `${row.id}\t${row.name}\t${row.total.toFixed(2)}`).join('\n');
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    switch (url.pathname) {
      case '/hello':
        setTimeout(() => res.end('hello\n'), 2 + Math.random() * 8);
        return;
      case '/report': {
        busyWaitMs(Number(url.searchParams.get('ms') || 300));
        const rows = Array.from({ length: 50 }, (_, id) => ({ id, name: `row ${id}`, total: id * 1.5 }));
        res.end(renderReport(rows));
        return;
      }
      case '/aggregate': {
        const { port: selfPort } = server.address();
        const parts = await Promise.all([1, 2, 3].map((n) => fetch(`http://127.0.0.1:${selfPort}/hello?part=${n}`).then((r) => r.text())));
        res.end(parts.join(''));
        return;
      }
      case '/import': {
        let kept = [];
        for (let i = 0; i < 300_000; i++) kept.push({ i, text: `item-${i}` });
        res.end(`imported ${kept.length}\n`);
        kept = null;
        return;
      }
      case '/fail':
        throw new Error('payment provider timed out');
      default:
        res.statusCode = 404;
        res.end('not found\n');
    }
  } catch (error) {
    console.error(`request ${url.pathname} failed: ${error.message}`);
    res.statusCode = 500;
    res.end('internal error\n');
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`demo server listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
