import { z } from "zod";
import { systemClock, type Clock } from "@/common/clock";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { logger } from "@/server/logger";
import { roleGuard } from "@/server/role-guards";
import { cfdrlAgentSchema, modelSelect, type CfdrlModelView } from "./queries";
import { rollbackModel } from "./store";

/**
 * Model rollback from the console (admins): makes an older saved version of
 * an agent's Q-network the active one. The cfdrl worker loads the active
 * version when it next decides, so the change takes effect without a
 * restart; later saves continue from the version numbers already used. The
 * switch itself is the store's (store.ts `rollbackModel`, under the agent's lock).
 * Audited with the version before and after.
 */
const log = logger.child({ module: "cfdrl-rollback" });
const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can roll a CFDRL model back.");

export const cfdrlRollbackSchema = z
  .strictObject({
    version: z
      .number({ error: "version must be a whole number." })
      .int({ error: "version must be a whole number." })
      .min(1, { error: "version must be at least 1." }),
  })
  .describe("The saved version to make active.");

export interface CfdrlRollbackDeps {
  db: Db;
  user: SessionUser;
  clock?: Clock;
}

export async function rollbackCfdrlModel(
  deps: CfdrlRollbackDeps,
  agentName: unknown,
  input: unknown,
): Promise<CfdrlModelView> {
  requireAdmin(deps.user);
  const agent = parseOrThrow(cfdrlAgentSchema, agentName, "agent");
  const { version } = parseOrThrow(cfdrlRollbackSchema, input ?? {});
  const now = new Date((deps.clock ?? systemClock)());
  // The store's rollback says "no such version" as a plain error; the console's answer is a 404 naming the field.
  const exists = await deps.db.cfdrlModel.findUnique({
    where: { agent_version: { agent, version } },
    select: { id: true },
  });
  if (!exists) throw new DomainError("not_found", `The ${agent} agent has no version ${version}.`, "version");
  const result = await rollbackModel(deps.db, agent, version, deps.user.username);
  await deps.db.auditEvent.create({
    data: {
      actorId: deps.user.id,
      actorName: deps.user.username,
      action: "cfdrl.model.rolled-back",
      subjectType: "cfdrl-model",
      subjectId: agent,
      detail: { before: result.previous, after: result.version },
      createdAt: now,
    },
  });
  const row = await deps.db.cfdrlModel.findUniqueOrThrow({
    where: { agent_version: { agent, version } },
    select: modelSelect,
  });
  log.info({ agent, from: result.previous, to: version, by: deps.user.username }, "CFDRL model rolled back");
  return row;
}
