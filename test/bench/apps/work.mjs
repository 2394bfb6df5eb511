// The per-request work shared by the benchmark servers: what a small JSON API does — a few
// awaits (a pretend database call that resolves on the next turn of the loop), a small
// object built and serialised. Cheap on purpose: the cheaper the handler, the more a
// recorder's per-request cost shows.
export async function handle(url) {
  const user = await lookupUser(url);
  const orders = await Promise.all([lookupOrders(user.id), lookupOrders(user.id + 1)]);
  return JSON.stringify({ user, orders: orders.flat(), servedAt: Date.now() });
}

function lookupUser(url) {
  return new Promise((resolve) => setImmediate(() => resolve({ id: url.length, name: 'ada', roles: ['admin', 'ops'] })));
}

async function lookupOrders(userId) {
  await null;
  return [
    { id: userId * 10, total: 12.5, items: 3 },
    { id: userId * 10 + 1, total: 99, items: 1 },
  ];
}

/** Prints the port the way the runner waits for it. */
export function announce(port) {
  process.stdout.write(`LISTENING ${port}\n`);
}
