import { dropDatabase } from "@/server/db/migrate";
import { deleteVhost } from "@/server/testing/services";
import type { Server } from "node:http";
import { isAlive } from "@/server/testing/processes";
import { E2E_ENV } from "./env";
import { readFindings } from "./secret-watch";

/**
 * Stops the processes global setup started (by pid; workers finish their
 * running work on SIGTERM), then drops the run's database and vhost.
 */
export default async function globalTeardown(): Promise<void> {
  const pids = (process.env[E2E_ENV.pids] ?? "")
    .split(",")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGTERM");
  // Workers get their graceful shutdown (it ends well before their 10 s grace period).
  const deadline = Date.now() + 12_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(isAlive)) process.kill(pid, "SIGKILL");

  (globalThis as { nemoSecretWatch?: Server }).nemoSecretWatch?.close();

  const databaseUrl = process.env[E2E_ENV.databaseUrl];
  if (databaseUrl && process.env.KEEP_TEST_DB !== "1") await dropDatabase(databaseUrl);
  const vhost = process.env[E2E_ENV.vhost];
  if (vhost) await deleteVhost(vhost);

  // Secrets never leave: fail the run on anything the watch saw, whichever spec caused it.
  const findings = readFindings(process.env[E2E_ENV.secretFindings] ?? "");
  if (findings.length > 0) {
    throw new Error(
      `Secret material left the console in ${findings.length} answer(s):\n` +
        findings.map((f) => `  ${f.method} ${f.url} → ${f.status}: ${f.secret} in the ${f.where}`).join("\n"),
    );
  }
}
