import { z } from "zod";

/** Argo CD's resource health vocabulary, so the deployment tree reads like Argo's. */
export const healthStatuses = [
  "Healthy",
  "Suspended",
  "Progressing",
  "Missing",
  "Degraded",
  "Unknown",
] as const;
export const healthStatusSchema = z.enum(healthStatuses);
export type HealthStatus = z.infer<typeof healthStatusSchema>;

/** Worse is higher; the same order Argo CD uses to roll children up into one health. */
export const HEALTH_PRIORITY: Readonly<Record<HealthStatus, number>> = {
  Healthy: 0,
  Suspended: 1,
  Progressing: 2,
  Missing: 3,
  Degraded: 4,
  Unknown: 5,
};

export const healthSchema = z.object({
  status: healthStatusSchema,
  message: z.string().optional(),
});
export type Health = z.infer<typeof healthSchema>;

/** The worst of many healths; an empty list is Healthy (nothing is wrong with nothing). */
export function worstHealth(healths: readonly Health[]): Health {
  let worst: Health = { status: "Healthy" };
  for (const health of healths) {
    if (HEALTH_PRIORITY[health.status] > HEALTH_PRIORITY[worst.status]) worst = health;
  }
  return worst;
}
