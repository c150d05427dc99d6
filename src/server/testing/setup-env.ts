import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { resetServerEnvCache } from "@/server/env";

// Every test process talks to this run's own database and vhost.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.AMQP_URL = inject("amqpUrl");
process.env.AMQP_PREFIX = inject("amqpPrefix");
process.env.NEMO_SECRET_KEY ??= "0".repeat(64);
// No defaults for these any more (a known value would forge sessions / clients): each run has its own.
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
// Tests use sim:// clusters and fake API servers on plain http://127.0.0.1 (production refuses all three);
// the network policy's own tests pass their policy explicitly.
process.env.NEMO_ALLOW_SIMULATED ??= "1";
process.env.NEMO_CLUSTER_ALLOW_HTTP ??= "1";
process.env.NEMO_CLUSTER_ALLOWED_HOSTS ??= "127.0.0.1";
// One test process plays every client from one address and calls handlers far faster than a person:
// the default budgets are off here; the rate-limit tests build their own with a pinned clock.
for (const budget of ["REST", "TRPC_MUTATION", "LOGIN"]) {
  process.env[`NEMO_RATE_LIMIT_${budget}_USER`] ??= "0";
  process.env[`NEMO_RATE_LIMIT_${budget}_IP`] ??= "0";
}
// Uploaded datasets go to a directory of this process's own, never the checkout's .nemo/.
process.env.DATASET_DIR ??= path.join(tmpdir(), `nemo-test-datasets-${process.pid}`);
resetServerEnvCache();
