import { beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { driverFor } from "@/server/clusters";
import type { Db } from "@/server/db";
import { makeUser, uniq } from "@/server/testing/factories";
import { demoDatabaseForFile } from "@/server/testing/demo-database";
import { createWorkload, setClusterScopedApproval, uploadChart } from "@/server/workloads";
import { packTarGz } from "@/server/workloads/tar-writer";
import { createInstance, getInstance } from "./index";
import { orchestrateNewestRun } from "@/server/testing/orchestration";

// Placement needs the demo clusters and nothing else: a database of its own.
const demo = demoDatabaseForFile("nspolicy");
let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let workloadId: number;

const as = (user: SessionUser) => ({ db, user });

/** A chart whose templates ask for a ClusterRoleBinding to cluster-admin besides its Deployment. */
function clusterAdminChart() {
  return packTarGz([
    { path: "grabby/Chart.yaml", content: "apiVersion: v2\nname: grabby\nversion: 0.1.0\n" },
    { path: "grabby/values.yaml", content: "replicaCount: 1\n" },
    {
      path: "grabby/templates/deployment.yaml",
      content: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: {{ .Release.Name }}",
        "spec:",
        "  replicas: {{ .Values.replicaCount }}",
        "  selector: { matchLabels: { app: grabby } }",
        "  template:",
        "    metadata: { labels: { app: grabby } }",
        "    spec: { containers: [ { name: app, image: nginx, resources: { requests: { cpu: 100m, memory: 64Mi } } } ] }",
        "",
      ].join("\n"),
    },
    {
      path: "grabby/templates/rbac.yaml",
      content: [
        "apiVersion: rbac.authorization.k8s.io/v1",
        "kind: ClusterRoleBinding",
        "metadata:",
        "  name: {{ .Release.Name }}-admin",
        "roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }",
        "subjects: [ { kind: ServiceAccount, name: default, namespace: {{ .Release.Namespace }} } ]",
        "",
      ].join("\n"),
    },
  ]);
}

async function orchestrate(instanceId: string): Promise<void> {
  await orchestrateNewestRun(db, instanceId);
}

const rejection = domainRejection;

beforeAll(async () => {
  db = demo.db;
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const workload = await createWorkload(as(provider), { name: uniq("grabby"), version: "1.0.0" });
  const upload = await uploadChart(as(provider), workload.id, clusterAdminChart());
  expect(upload.workload.status).toBe("ACCEPTED");
  workloadId = workload.id;
});

describe("a chart reaching outside its namespace", () => {
  it("is refused when an instance is created, naming the object", async () => {
    const error = await rejection(createInstance(as(provider), { workloadId, releaseName: "grab" }));
    expect(error.kind).toBe("unprocessable");
    expect(error.message).toContain("ClusterRoleBinding/grab-admin (ClusterRoleBinding is cluster-scoped)");
    expect(await db.workloadInstance.count({ where: { workloadId } })).toBe(0);
  });

  it("can be approved by an admin only, and each decision is audited", async () => {
    const forbidden = await rejection(setClusterScopedApproval(as(provider), workloadId, { approved: true }));
    expect(forbidden.kind).toBe("forbidden");
    const invalid = await rejection(setClusterScopedApproval(as(admin), workloadId, { approved: "yes" }));
    expect(invalid).toMatchObject({ kind: "invalid", field: "approved" });

    const approvedAt = new Date("2026-12-07T10:00:00Z");
    const approved = await setClusterScopedApproval(as(admin), workloadId, { approved: true }, approvedAt);
    expect(approved.clusterScopedApprovedAt).toBe(approvedAt.toISOString());
    // The same decision again is no new decision.
    await setClusterScopedApproval(as(admin), workloadId, { approved: true });
    const audit = await db.auditEvent.findMany({
      where: { subjectType: "workload", subjectId: String(workloadId) },
    });
    expect(audit).toMatchObject([
      { actorId: admin.id, actorName: admin.username, action: "workload.cluster-scoped.approved" },
    ]);
  });

  it("deploys once approved, and fails at deployment if the approval was revoked meanwhile", async () => {
    await setClusterScopedApproval(as(admin), workloadId, { approved: true });
    const deployed = await createInstance(as(provider), { workloadId, releaseName: "ok" });
    await orchestrate(deployed.id);
    const running = await getInstance(as(provider), deployed.id);
    expect(running.status).toBe("DEPLOYED");
    // The console's guardrails went into the namespace with the chart's objects.
    const cluster = await db.cluster.findUniqueOrThrow({
      where: { id: (await db.workloadInstance.findUniqueOrThrow({ where: { id: deployed.id } })).clusterId! },
    });
    const kinds = (await driverFor(db, cluster).deploymentTree(running.namespace)).nodes.map(
      (n) => `${n.kind}/${n.name}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining(["NetworkPolicy/nemo-default-deny", "ResourceQuota/nemo-quota"]),
    );

    const pending = await createInstance(as(provider), { workloadId, releaseName: "late" });
    // An hour after the approval of the test above: the audit log keeps the order of decisions.
    await setClusterScopedApproval(
      as(admin),
      workloadId,
      { approved: false },
      new Date("2026-12-07T11:00:00Z"),
    );
    await orchestrate(pending.id);
    const failed = await getInstance(as(provider), pending.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.statusReason).toContain("ClusterRoleBinding/late-admin");
    expect((await db.workloadInstance.findUniqueOrThrow({ where: { id: pending.id } })).clusterId).toBeNull();
    const actions = await db.auditEvent.findMany({
      where: { subjectId: String(workloadId) },
      orderBy: { createdAt: "asc" },
      select: { action: true },
    });
    expect(actions.map((a) => a.action)).toEqual([
      "workload.cluster-scoped.approved",
      "workload.cluster-scoped.revoked",
    ]);
  });
});
