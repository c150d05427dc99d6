import pg from "pg";
import { e2eEnv } from "./env";

/** Direct rows in the run's database, for specs that need data the UI cannot create yet. */
export async function withDatabase<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eEnv("databaseUrl") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The `users` row a demo user gets at first sign-in (keyed by the issuer's subject). */
export async function ensureUser(
  client: pg.Client,
  subject: string,
  username: string,
  role: string,
): Promise<string> {
  const result = await client.query<{ id: string }>(
    `INSERT INTO users (id, subject, username, display_name, roles, created_at, last_seen_at)
     VALUES (gen_random_uuid(), $1, $2, $2, ARRAY[$3]::"Role"[], now(), now())
     ON CONFLICT (subject) DO UPDATE SET username = EXCLUDED.username
     RETURNING id`,
    [subject, username, role],
  );
  const id = result.rows[0]?.id;
  if (!id) throw new Error("no user id");
  return id;
}
