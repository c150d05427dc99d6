import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { Role } from "@/common/roles";
import { clusterJoinRequestSchema } from "@/server/bus";
import { createDb } from "@/server/db/client";
import { DomainError } from "@/server/errors";
import { logger } from "@/server/logger";
import { contentId } from "@/server/secrets";
import { handleClusterJoin } from "./join";
import { registerCluster } from "./registration";
import { makeRegistrationForm, simKubeconfig } from "@/server/testing/cluster-factories";
import { makeUser as makeTestUser } from "@/server/testing/factories";

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

const tag = () => randomUUID().slice(0, 8);

const makeUser = (roles: Role[]): Promise<SessionUser> => makeTestUser(db, roles);
const form = makeRegistrationForm;

async function joinRequestOf(clusterName: string) {
  const cluster = await db.cluster.findUniqueOrThrow({ where: { name: clusterName } });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { id: cluster.joinOperationId! } });
  return clusterJoinRequestSchema.parse(row.payload);
}

function join(request: ReturnType<typeof clusterJoinRequestSchema.parse>) {
  return db.$transaction((tx) => handleClusterJoin(tx, request, { db, log: logger }));
}

describe("cluster registration", () => {
  it("saves the cluster PENDING with its kubeconfig sealed and queues the MO's join request", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const name = `edge-${tag()}`;
    const summary = await registerCluster(db, infra, form(name));
    expect(summary).toMatchObject({
      name,
      status: "PENDING",
      shortId: expect.stringMatching(/^[0-9a-f]{7}$/),
    });
    expect(summary).not.toHaveProperty("kubeconfig");
    expect(summary).not.toHaveProperty("kubeconfigCipher");

    const stored = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(Buffer.from(stored.kubeconfigCipher!).includes(Buffer.from("t0ken"))).toBe(false);
    expect(stored.kubeconfigSha256).toBe(contentId(simKubeconfig(name)));

    const request = await joinRequestOf(name);
    expect(request).toMatchObject({
      id: stored.joinOperationId,
      cluster_name: name,
      managed_api: `sim://${name}`,
      cpus: 8,
      memory: 16 * 1024,
      availability: "99.9%",
      green_energy: "40%",
      cost: "low_cost",
      cpu_base_rate: 10,
      memory_base_rate: 5,
    });
  });

  it("refuses a service provider, a duplicate name and bad fields, naming the field", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const provider = await makeUser([Role.SERVICE_PROVIDER]);
    const name = `dup-${tag()}`;
    await expect(registerCluster(db, provider, form(name))).rejects.toMatchObject({ kind: "forbidden" });
    await registerCluster(db, infra, form(name));
    await expect(registerCluster(db, infra, form(name))).rejects.toMatchObject({
      kind: "conflict",
      field: "name",
      message: expect.stringContaining("409"),
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ availabilityPct: 97 }, "availabilityPct"],
      [{ greenEnergyPct: 30 }, "greenEnergyPct"],
      [{ cpus: 0 }, "cpus"],
      [{ cost: "cheap" }, "cost"],
      [{ kubeconfig: "not: [a kubeconfig" }, "kubeconfig"],
      [{ managedApi: "ftp://x" }, "managedApi"],
      [{ name: "Bad_Name" }, "name"],
    ];
    for (const [override, field] of cases) {
      const error = await registerCluster(db, infra, form(`bad-${tag()}`, override)).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(DomainError);
      expect((error as DomainError).field, JSON.stringify(override)).toBe(field);
    }
  });
});

describe("the MO's join", () => {
  it("connects through the simulated driver and answers ok; the cluster becomes OK", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const name = `ok-${tag()}`;
    await registerCluster(db, infra, form(name));
    const request = await joinRequestOf(name);
    const reply = await join(request);
    expect(reply).toMatchObject({
      action: "join",
      status: "ok",
      cluster_name: name,
      operation_id: request.id,
    });
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(cluster.status).toBe("OK");
    expect(cluster.driver).toBe("SIMULATED");
    const replies = await db.outboxMessage.findMany({ where: { routingKey: "mo.join.reply" } });
    expect(replies.some((r) => (r.payload as { operation_id?: string }).operation_id === request.id)).toBe(
      true,
    );
  });

  it("answers 409 to a second join of a cluster that already joined", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const name = `twice-${tag()}`;
    await registerCluster(db, infra, form(name));
    const request = await joinRequestOf(name);
    await join(request);
    const again = await join({ ...request, id: randomUUID() });
    expect(again).toMatchObject({
      status: "error",
      code: 409,
      error: "request failed: http request failed with status 409",
    });
    expect((await db.cluster.findUniqueOrThrow({ where: { name } })).status).toBe("OK");
  });

  it("answers 409 when the same endpoint already joined under another name", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const first = `first-${tag()}`;
    await registerCluster(db, infra, form(first));
    await join(await joinRequestOf(first));
    const alias = `alias-${tag()}`;
    await registerCluster(
      db,
      infra,
      form(alias, { managedApi: `sim://${first}`, kubeconfig: simKubeconfig(first, "other") }),
    );
    const reply = await join(await joinRequestOf(alias));
    expect(reply).toMatchObject({ status: "error", code: 409 });
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name: alias } });
    expect(cluster.status).toBe("ERROR");
    expect(cluster.statusReason).toContain(`already joined as "${first}"`);
  });

  it("refuses a tampered kubeconfig and says why", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const name = `tamper-${tag()}`;
    await registerCluster(db, infra, form(name));
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name } });
    const tampered = Buffer.from(cluster.kubeconfigCipher!);
    tampered[tampered.length - 1]! ^= 0xff;
    await db.cluster.update({ where: { name }, data: { kubeconfigCipher: new Uint8Array(tampered) } });
    const reply = await join(await joinRequestOf(name));
    expect(reply).toMatchObject({ status: "error", code: 400 });
    const after = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(after.status).toBe("ERROR");
    expect(after.statusReason).toMatch(/integrity check/);
  });

  it("reports a cluster that is down as ERROR with the driver's reason", async () => {
    const infra = await makeUser([Role.INFRASTRUCTURE_PROVIDER]);
    const name = `down-${tag()}`;
    await registerCluster(db, infra, form(name));
    const reply = await db.$transaction((tx) =>
      joinRequestOf(name).then((request) =>
        handleClusterJoin(tx, request, {
          db,
          log: logger,
          driverFor: (config) =>
            ({
              kind: "simulated",
              cluster: config.name,
              connect: async () => ({
                ok: false as const,
                error: {
                  type: "UNREACHABLE" as const,
                  message: `cluster ${config.name} is unreachable`,
                  cluster: config.name,
                },
              }),
            }) as unknown as ReturnType<NonNullable<Parameters<typeof handleClusterJoin>[2]["driverFor"]>>,
        }),
      ),
    );
    expect(reply).toMatchObject({ status: "error", code: 503 });
    expect((await db.cluster.findUniqueOrThrow({ where: { name } })).statusReason).toBe(
      `UNREACHABLE: cluster ${name} is unreachable`,
    );
  });
});
