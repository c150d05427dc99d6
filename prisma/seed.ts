import { createDb, workerDbTimeouts } from "@/server/db/client";
import { seedDemo } from "@/server/demo/seed";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";

const db = createDb(undefined, workerDbTimeouts());
try {
  const result = await seedDemo(db);
  logger.info(result, "demo data seeded");
  // The demo clusters are sim:// clusters: the workers and the web app refuse them unless this is set.
  if (!serverEnv().NEMO_ALLOW_SIMULATED)
    logger.warn(
      "NEMO_ALLOW_SIMULATED is not 1: the seeded demo clusters will be refused (the quick start sets it)",
    );
} finally {
  await db.$disconnect();
}
