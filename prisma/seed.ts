import { createDb } from "@/server/db/client";
import { seedDemo } from "@/server/demo/seed";
import { logger } from "@/server/logger";

const db = createDb();
try {
  const result = await seedDemo(db);
  logger.info(result, "demo data seeded");
} finally {
  await db.$disconnect();
}
