import { type TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { Role } from "@/common/roles";
import { createCaller } from "@/server/api/root";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { makeRegistrationForm } from "@/server/testing/cluster-factories";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { kubeconfigWith, REFUSED_KEYS } from "@/server/testing/hostile-kubeconfigs";
import { trpcRejection } from "@/server/testing/rejection";
import { resetServerEnvCache } from "@/server/env";

/** Registering a cluster whose kubeconfig would run code or read files: a field error, nothing stored. */

let db: Db;
let infra: SessionUser;
const tag = uniq("hostile");

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
});
afterAll(async () => {
  await db.$disconnect();
});

describe("cluster registration with a hostile kubeconfig", () => {
  it.each(REFUSED_KEYS)(
    "refuses $key with a field error on the kubeconfig",
    async ({ key, clusterExtra, userExtra }) => {
      const name = `${tag}-${REFUSED_KEYS.findIndex((entry) => entry.key === key)}`;
      const error: TRPCError = await trpcRejection(
        createCaller(contextFor(db, infra)).cluster.register(
          makeRegistrationForm(name, {
            managedApi: "https://api.cluster.example:6443",
            kubeconfig: kubeconfigWith({ clusterExtra, userExtra }),
          }),
        ),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.cause).toBeInstanceOf(ZodError);
      const issues = (error.cause as ZodError).issues;
      expect(issues.map((issue) => issue.path.join("."))).toEqual(["kubeconfig"]);
      expect(issues[0]?.message).toContain(`${key} is not allowed`);
      expect(await db.cluster.count({ where: { name } })).toBe(0);
    },
  );
});

describe("cluster registration: where the console may connect", () => {
  const register = (name: string, overrides: Record<string, unknown>) =>
    createCaller(contextFor(db, infra)).cluster.register(makeRegistrationForm(name, overrides));

  it("refuses a managed API or kubeconfig server with more than scheme, host and port", async () => {
    for (const [managedApi, kubeconfigServer, field] of [
      ["https://api.cluster.example:6443/api/v1?watch=1", "https://api.cluster.example:6443", "managedApi"],
      ["https://api.cluster.example:6443", "https://token@api.cluster.example:6443", "kubeconfig"],
      ["https://api.cluster.example:6443", "https://api.cluster.example:6443/#x", "kubeconfig"],
    ] as const) {
      const name = `${tag}-url-${field.toLowerCase()}-${managedApi.length}-${kubeconfigServer.length}`;
      const error = await trpcRejection(
        register(name, { managedApi, kubeconfig: kubeconfigWith({ server: kubeconfigServer }) }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect((error.cause as ZodError).issues.map((issue) => issue.path.join("."))).toEqual([field]);
      expect(await db.cluster.count({ where: { name } })).toBe(0);
    }
  });

  it("refuses internal addresses written in any spelling, naming the field", async () => {
    for (const [managedApi, server, field] of [
      ["https://169.254.169.254", "https://api.cluster.example:6443", "managedApi"],
      ["https://api.cluster.example:6443", "https://167772161:6443", "kubeconfig"],
      ["https://api.cluster.example:6443", "https://[::ffff:10.0.0.1]:6443", "kubeconfig"],
    ] as const) {
      const name = `${tag}-addr-${field.toLowerCase()}-${server.length}-${managedApi.length}`;
      const error = await trpcRejection(
        register(name, { managedApi, kubeconfig: kubeconfigWith({ server }) }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.cause).toMatchObject({ kind: "invalid", field });
      expect(error.message).toMatch(/NEMO_CLUSTER_ALLOWED_HOSTS/);
      expect(await db.cluster.count({ where: { name } })).toBe(0);
    }
  });

  it("refuses sim:// clusters when NEMO_ALLOW_SIMULATED is not 1", async () => {
    const previous = process.env.NEMO_ALLOW_SIMULATED;
    process.env.NEMO_ALLOW_SIMULATED = "0";
    resetServerEnvCache();
    try {
      const name = `${tag}-sim`;
      const error = await trpcRejection(register(name, {}));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.cause).toMatchObject({ kind: "invalid", field: "managedApi" });
      expect(error.message).toMatch(/NEMO_ALLOW_SIMULATED=1/);
      expect(await db.cluster.count({ where: { name } })).toBe(0);
    } finally {
      process.env.NEMO_ALLOW_SIMULATED = previous;
      resetServerEnvCache();
    }
  });
});
