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
