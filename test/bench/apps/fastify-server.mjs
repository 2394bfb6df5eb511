// Fastify app with the same async work per request.
import Fastify from 'fastify';
import { announce, handle } from './work.mjs';

const app = Fastify({ logger: false });
app.get('/api/users/:id', async (req, reply) => {
  reply.type('application/json');
  return handle(req.url);
});
await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server.address().port);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
