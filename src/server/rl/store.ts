/**
 * Model versions in `cfdrl_models` (each save a new version with its training steps, epsilon and
 * loss; exactly one active per agent) and the loss curve in `cfdrl_training_stats`.
 */
import type { CfdrlAgentKind, Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { DqnAgent, type DqnConfig } from "./dqn";

export { PersistentReplayBuffer } from "./replay-buffer";

/** Saves and rollbacks of one agent take this advisory lock (one active version, no duplicate numbers). */
export const modelLockKey = (agent: CfdrlAgentKind) => `cfdrl-model:${agent}`;

export interface StoredModel {
  id: number;
  agent: CfdrlAgentKind;
  version: number;
  trainingSteps: number;
  architecture: unknown;
  weights: Uint8Array;
  epsilon: number;
  loss: number | null;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
}

type Tx = Prisma.TransactionClient;

async function lockAgent(tx: Tx, agent: CfdrlAgentKind): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${modelLockKey(agent)}))::text`;
}

/** The agent's active version with its weights, or null before the first save. */
export async function loadActiveModel(db: Db, agent: CfdrlAgentKind): Promise<StoredModel | null> {
  return db.cfdrlModel.findFirst({ where: { agent, active: true } });
}

/** The active version as a ready DqnAgent (config overrides, e.g. a batch size, applied), or null. */
export async function loadActiveAgent(
  db: Db,
  agent: CfdrlAgentKind,
  overrides: Partial<DqnConfig> = {},
): Promise<{ dqn: DqnAgent; version: number } | null> {
  const model = await loadActiveModel(db, agent);
  if (!model) return null;
  return { dqn: DqnAgent.fromExport(model.architecture, model.weights, overrides), version: model.version };
}

export async function activeModelVersion(db: Db, agent: CfdrlAgentKind): Promise<number | null> {
  const row = await db.cfdrlModel.findFirst({ where: { agent, active: true }, select: { version: true } });
  return row?.version ?? null;
}

/**
 * Save the network as the agent's next version and make it the active one (in one transaction,
 * under the agent's lock). Returns the version number.
 */
export async function saveModelVersion(
  db: Db,
  agent: CfdrlAgentKind,
  dqn: DqnAgent,
  createdBy: string | null = null,
  options: { loss?: number | null; activate?: boolean } = {},
): Promise<number> {
  const { architecture, weights } = dqn.exportWeights();
  const activate = options.activate ?? true;
  return db.$transaction(async (tx) => {
    await lockAgent(tx, agent);
    const last = await tx.cfdrlModel.aggregate({ where: { agent }, _max: { version: true } });
    const version = (last._max.version ?? 0) + 1;
    if (activate) await tx.cfdrlModel.updateMany({ where: { agent, active: true }, data: { active: false } });
    await tx.cfdrlModel.create({
      data: {
        agent,
        version,
        trainingSteps: dqn.steps,
        architecture: JSON.parse(JSON.stringify(architecture)) as Prisma.InputJsonValue,
        weights: new Uint8Array(weights),
        epsilon: dqn.epsilon,
        loss: options.loss === undefined ? dqn.lastLoss : options.loss,
        active: activate,
        createdBy,
      },
    });
    return version;
  });
}

/**
 * Make an older version the active one (one transaction; the previously active one is
 * deactivated). Throws when the agent has no such version. Returns the version made active and the
 * one it replaced. Authorisation is the caller's (the console's rollback checks the admin role).
 */
export async function rollbackModel(
  db: Db,
  agent: CfdrlAgentKind,
  version: number,
  user: string,
): Promise<{ version: number; previous: number | null; by: string }> {
  return db.$transaction(async (tx) => {
    await lockAgent(tx, agent);
    const target = await tx.cfdrlModel.findUnique({
      where: { agent_version: { agent, version } },
      select: { id: true },
    });
    if (!target) throw new Error(`The ${agent} agent has no model version ${version}.`);
    const before = await tx.cfdrlModel.findFirst({
      where: { agent, active: true },
      select: { version: true },
    });
    await tx.cfdrlModel.updateMany({
      where: { agent, active: true, NOT: { id: target.id } },
      data: { active: false },
    });
    await tx.cfdrlModel.update({ where: { id: target.id }, data: { active: true } });
    return { version, previous: before?.version ?? null, by: user };
  });
}

/** Versions, newest first, without their weights. */
export async function listModelVersions(db: Db, agent: CfdrlAgentKind, limit = 50) {
  return db.cfdrlModel.findMany({
    where: { agent },
    orderBy: { version: "desc" },
    take: limit,
    select: {
      version: true,
      trainingSteps: true,
      epsilon: true,
      loss: true,
      active: true,
      createdBy: true,
      createdAt: true,
    },
  });
}

/** One point of the loss curve. */
export async function recordTrainingStat(
  db: Db,
  agent: CfdrlAgentKind,
  step: number,
  loss: number,
  epsilon: number,
): Promise<void> {
  if (!Number.isFinite(loss)) throw new Error(`loss must be finite, got ${loss}`);
  await db.cfdrlTrainingStat.create({ data: { agent, step, loss, epsilon } });
}

/** The newest `limit` points of the loss curve, in step order. */
export async function trainingStats(db: Db, agent: CfdrlAgentKind, limit = 500) {
  const rows = await db.cfdrlTrainingStat.findMany({
    where: { agent },
    orderBy: [{ step: "desc" }, { id: "desc" }],
    take: limit,
    select: { step: true, loss: true, epsilon: true, createdAt: true },
  });
  return rows.reverse();
}
