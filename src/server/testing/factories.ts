import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "@/server/db/client";
import type { Role } from "@/common/roles";
import type { AuthSession, SessionUser } from "@/server/auth/session";
import type { TRPCContext } from "@/server/api/trpc";
import { INTENT_TYPE_NAMES } from "@/common/intent-catalogue";

/**
 * Small factories for API tests. Every row gets a unique suffix because test
 * files share one database per run.
 */
export const uniq = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export async function makeUser(db: Db, roles: Role[], username = uniq("user")): Promise<SessionUser> {
  const row = await db.user.create({
    data: { subject: randomUUID(), username, displayName: `Test ${username}`, roles },
  });
  return {
    id: row.id,
    subject: row.subject,
    username,
    displayName: row.displayName ?? username,
    email: null,
    roles,
  };
}

export function sessionFor(user: SessionUser): AuthSession {
  return { user, expires: new Date(Date.now() + 3_600_000).toISOString() };
}

export function contextFor(db: Db, user: SessionUser | null): TRPCContext {
  return { db, session: user ? sessionFor(user) : null, headers: new Headers() };
}

/**
 * A workload row (REGISTERED). Its Supported Intents default to every
 * catalogue type, so tests may attach any intent; pass `supportedIntents`
 * to test the rule itself.
 */
export async function makeWorkload(
  db: Db,
  owner: SessionUser,
  data: { name?: string; version?: string; supportedIntents?: readonly string[] } = {},
) {
  return db.workload.create({
    data: {
      name: data.name ?? uniq("wl"),
      version: data.version ?? "1.0.0",
      ownerId: owner.id,
      supportedIntents: [...(data.supportedIntents ?? INTENT_TYPE_NAMES)],
    },
  });
}

export async function makeCluster(db: Db, owner: SessionUser, name = uniq("cluster")) {
  return db.cluster.create({
    data: {
      name,
      ownerId: owner.id,
      managedApi: `https://${name}.example:6443`,
      kubeconfigCipher: Buffer.from("secret kubeconfig ciphertext"),
      kubeconfigSha256: "0".repeat(64),
      cpus: 16,
      memoryGb: 64,
      storageGb: 500,
      vramGb: 0,
      availabilityPct: "99.90",
      greenEnergyPct: 40,
      cost: "low_cost",
      cpuBaseRate: 2,
      memoryBaseRate: 1,
    },
  });
}

export async function makeInstance(db: Db, owner: SessionUser, workloadId: number, clusterId?: string) {
  const shortId = randomBytes(4).toString("hex").slice(0, 7);
  return db.workloadInstance.create({
    data: {
      shortId,
      releaseName: uniq("rel"),
      workloadId,
      ownerId: owner.id,
      clusterId: clusterId ?? null,
      namespace: `ns-${shortId}`,
    },
  });
}

/** A DEPLOYED instance on the named cluster with small recorded requests (what placement would have stored). */
export async function makeDeployedInstance(
  db: Db,
  owner: SessionUser,
  clusterName: string,
  workloadName = uniq("wl"),
) {
  const workload = await makeWorkload(db, owner, { name: workloadName });
  const cluster = await db.cluster.findUniqueOrThrow({ where: { name: clusterName } });
  const instance = await makeInstance(db, owner, workload.id, cluster.id);
  return db.workloadInstance.update({
    where: { id: instance.id },
    data: {
      status: "DEPLOYED",
      placement: { requests: { cpuMillicores: 100, memoryBytes: 64 * 1024 * 1024, gpus: 0 } },
    },
  });
}

export async function makeIntent(
  db: Db,
  owner: SessionUser,
  instanceId: string,
  intentType = "Availability",
) {
  return db.intent.create({
    data: { intentType, instanceId, ownerId: owner.id, body: { expectations: [] } },
  });
}
