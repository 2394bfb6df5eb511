// Express app with the same async work per request.
import express from 'express';
import { announce, handle } from './work.mjs';

const app = express();
app.get('/api/users/:id', async (req, res) => {
  res.type('application/json').send(await handle(req.url));
});
const server = app.listen(0, '127.0.0.1', () => announce(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
