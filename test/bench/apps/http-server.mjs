// node:http server with async work per request (benchmark target of the default recorder).
import { createServer } from 'node:http';
import { announce, handle } from './work.mjs';

const server = createServer((req, res) => {
  handle(req.url).then((body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => announce(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
