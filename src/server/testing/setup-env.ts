import { inject } from "vitest";
import { resetServerEnvCache } from "@/server/env";

// Every test process talks to this run's own database and vhost.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.AMQP_URL = inject("amqpUrl");
process.env.AMQP_PREFIX = inject("amqpPrefix");
process.env.NEMO_SECRET_KEY ??= "0".repeat(64);
resetServerEnvCache();
