import type pg from "pg";

/**
 * One statement at a time per connection. Prisma's query plans send a
 * transaction's independent reads (a row's relations) side by side on the
 * transaction's one connection; pg 8 queues them with a DeprecationWarning
 * ("client.query() when the client is already executing a query") and pg 9
 * will refuse them. Each promise-style query now starts when the previous one
 * has settled. Callback and submittable queries (the pool's own, COPY
 * streams) pass through untouched: their callers already wait.
 */
export function serializeQueries(client: pg.ClientBase): void {
  const marked = client as pg.ClientBase & { nemoSerialQueries?: true };
  if (marked.nemoSerialQueries) return;
  marked.nemoSerialQueries = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let tail: Promise<unknown> = Promise.resolve();
  const serial = (...args: unknown[]): unknown => {
    const first = args[0];
    const submittable =
      typeof first === "object" &&
      first !== null &&
      typeof (first as { submit?: unknown }).submit === "function";
    if (submittable || args.some((arg) => typeof arg === "function")) return query(...args);
    const run = tail.then(() => query(...args));
    tail = run.catch(() => undefined);
    return run;
  };
  (client as unknown as { query: typeof serial }).query = serial;
}
