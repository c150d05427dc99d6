import { dropDatabase } from "@/server/db/migrate";
import { E2E_ENV } from "./env";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the issuer and the app started by global setup (by pid), then drops the run's database. */
export default async function globalTeardown(): Promise<void> {
  const pids = (process.env[E2E_ENV.pids] ?? "")
    .split(",")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) process.kill(pid, "SIGKILL");

  const databaseUrl = process.env[E2E_ENV.databaseUrl];
  if (databaseUrl && process.env.KEEP_TEST_DB !== "1") await dropDatabase(databaseUrl);
}
